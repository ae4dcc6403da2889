import ArgumentParser
import Foundation
import ImprovementCore

/// One self-contained HTML page (no scripts, no network) a ward can open on a phone, email or print:
/// the aim and driver diagram, progress with flags, a chart per measure and site, PDSA cycles,
/// stories and data-quality findings.
struct HTMLReport {
    let store: ImprovementStore
    let programmeID: String?

    func rendered() throws -> String {
        var programmes = try allRecords(Programme.self)
        if let programmeID { programmes = programmes.filter { $0.id == programmeID } }
        let measures = try allRecords(Measure.self)
        let drivers = try allRecords(DriverNode.self)
        let cycles = try allRecords(PDSACycle.self)
        let stories = try allRecords(Story.self)
        let today = store.today

        var body = "<header><h1>Improvement report</h1><p class=\"meta\">Data as of \(today) · made by improve</p></header>"
        if programmes.isEmpty { body += "<p>No programme on this device yet.</p>" }
        for programme in programmes {
            let ownMeasures = measures.filter { $0.programme == programme.id }
            let (progress, quality) = try ProgressAnalysis.review(store: store, programme: programme.id)
            body += "<section class=\"programme\"><h2>\(HTML.escape(programme.name))</h2>"
            body += "<p class=\"aim\"><strong>Aim:</strong> \(HTML.escape(programme.aim))</p>"
            let dates = [programme.start.map { "from \($0)" }, programme.end.map { "to \($0)" }].compactMap { $0 }
            body += "<p class=\"meta\">Status: \(programme.status.rawValue)\(dates.isEmpty ? "" : " · " + dates.joined(separator: " "))</p>"
            body += driverDiagram(drivers.filter { $0.programme == programme.id })
            body += progressSection(progress)
            body += try chartsSection(ownMeasures, progress: progress)
            body += try funnelSection(ownMeasures)  // Funnel plots (improve compare): FunnelSVG.swift
            let ideas = Set(drivers.filter { $0.programme == programme.id && $0.kind == .change }.map(\.id))
            body += cyclesSection(cycles.filter { ideas.contains($0.changeIdea) }, drivers: drivers)
            let measureIDs = Set(ownMeasures.map(\.id))
            body += storiesSection(stories.filter { $0.measure == nil || measureIDs.contains($0.measure!) })
            body += qualitySection(quality)
            body += "</section>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Improvement report \(today)</title>
            <style>\(Self.style)</style></head>
            <body>\(body)</body></html>
            """
    }

    private func allRecords<R: SyncedRecord>(_ type: R.Type) throws -> [R] {
        var result: [R] = []
        var after: String?
        while true {
            let page = try store.records(type, after: after, limit: 1000)
            result += page
            guard let last = page.last else { return result }
            after = last.id
        }
    }

    private func driverDiagram(_ nodes: [DriverNode]) -> String {
        guard !nodes.isEmpty else { return "" }
        func children(of parent: String?, kind: DriverNode.Kind) -> String {
            let list = nodes.filter { $0.parent == parent && $0.kind == kind }
            guard !list.isEmpty else { return "" }
            return "<ul>" + list.map { node in
                let next: DriverNode.Kind? = kind == .primary ? .secondary : kind == .secondary ? .change : nil
                return "<li><span class=\"\(kind.rawValue)\">\(HTML.escape(node.text))</span>"
                    + (next.map { children(of: node.id, kind: $0) } ?? "") + "</li>"
            }.joined() + "</ul>"
        }
        return "<h3>Driver diagram</h3><div class=\"drivers\">\(children(of: nil, kind: .primary))</div>"
    }

    private func progressSection(_ progress: ProgressReport) -> String {
        guard !progress.measures.isEmpty else { return "<h3>Progress</h3><p>No data points yet.</p>" }
        var html = "<h3>Progress</h3>"
        if !progress.flags.isEmpty {
            html += "<ul class=\"flags\">" + progress.flags.map { "<li class=\"\($0.kind.rawValue)\">\(HTML.escape($0.message))</li>" }.joined() + "</ul>"
        }
        html += "<div class=\"scroll\"><table><thead><tr><th>Measure</th><th>Where</th><th>Points</th><th>Baseline</th><th>Current</th><th>Verdict</th><th>Target</th><th>Complete</th><th>Last data</th></tr></thead><tbody>"
        for row in progress.measures.sorted(by: { ($0.name, $0.site, $0.unit ?? "") < ($1.name, $1.site, $1.unit ?? "") }) {
            let expression = row.expression
            let target = row.target.map { expression.text($0) + (row.targetMet == true ? " ✓" : "") } ?? "–"
            html += "<tr class=\"\(row.unit == nil ? "site" : "unit")\"><td>\(HTML.escape(row.name)) <small>(\(row.type.rawValue))</small></td>"
            html += "<td>\(HTML.escape(row.unit ?? row.site + " (all units)"))</td><td>\(row.points)</td>"
            html += "<td>\(HTML.escape(expression.text(row.baselineCentre)))</td><td>\(HTML.escape(expression.text(row.currentCentre)))</td>"
            html += "<td class=\"verdict \(row.verdict.rawValue)\" title=\"\(HTML.escape(row.reason))\">\(row.verdict.rawValue)</td><td>\(HTML.escape(target))</td>"
            html += "<td>\(Int((row.completeness * 100).rounded()))%</td><td>\(row.lastPeriod ?? "–")</td></tr>"
        }
        html += "</tbody></table></div>"
        if !progress.peers.isEmpty {
            html += "<h4>The same measure across sites (best first)</h4><ul>"
            for peer in progress.peers {
                let expression = progress.measures.first { $0.measure == peer.measure }?.expression ?? .plain
                html += "<li>\(HTML.escape(peer.name)): " + peer.sites.map {
                    "\(HTML.escape($0.site)) \(HTML.escape(expression.text($0.currentCentre))) (\($0.verdict.rawValue))"
                }.joined(separator: " · ") + "</li>"
            }
            html += "</ul>"
        }
        return html
    }

    private func chartsSection(_ measures: [Measure], progress: ProgressReport) throws -> String {
        var html = "<h3>Charts</h3>"
        for measure in measures {
            let sites = Set(progress.measures.filter { $0.measure == measure.id && $0.unit == nil }.map(\.site)).sorted()
            for site in sites {
                let series = try ChartSeries.load(store: store, measure: measure, site: site)
                guard !series.inputs.isEmpty, let result = try? ChartAnalysis.analyse(series) else { continue }
                let caption = measure.expression.caption.map { ", \($0)" } ?? ""
                let title = "\(measure.name) — \(site) (\(series.defaultKind.rawValue) chart\(caption))"
                html += "<figure class=\"chart\"><figcaption>\(HTML.escape(title))</figcaption>"
                html += SVGChart(result: result, annotations: series.annotations, phaseStarts: series.phaseStarts, title: title).rendered()
                html += "<p class=\"verdict \(result.verdict.verdict.rawValue)\"><strong>Verdict:</strong> \(HTML.escape(result.verdict.reason))</p>"
                let messages = result.signals.map { "<li class=\"\($0.direction.rawValue)\">\(HTML.escape($0.direction.rawValue)): \(HTML.escape($0.message))</li>" }
                    + result.warnings.map { "<li class=\"warning\">\(HTML.escape($0.message))</li>" }
                if !messages.isEmpty { html += "<ul class=\"signals\">\(messages.joined())</ul>" }
                if let definition = measure.definition.numerator {
                    html += "<p class=\"definition\">Numerator: \(HTML.escape(definition))"
                        + (measure.definition.denominator.map { " · Denominator: \(HTML.escape($0))" } ?? "") + "</p>"
                }
                html += "</figure>"
            }
        }
        return html
    }

    private func cyclesSection(_ cycles: [PDSACycle], drivers: [DriverNode]) -> String {
        guard !cycles.isEmpty else { return "" }
        var html = "<h3>PDSA cycles</h3><div class=\"scroll\"><table><thead><tr><th>Cycle</th><th>Change idea</th><th>Prediction</th><th>Study</th><th>Act</th><th>Dates</th></tr></thead><tbody>"
        for cycle in cycles.sorted(by: { ($0.start ?? Day(dayNumber: 0)) < ($1.start ?? Day(dayNumber: 0)) }) {
            let idea = drivers.first { $0.id == cycle.changeIdea }?.text ?? cycle.changeIdea
            let dates = [cycle.start?.description, cycle.end?.description].compactMap { $0 }.joined(separator: " – ")
            html += "<tr><td>\(HTML.escape(cycle.title))<br><small>\(HTML.escape(cycle.plan))</small></td><td>\(HTML.escape(idea))</td>"
            html += "<td>\(HTML.escape(cycle.prediction ?? "–"))</td><td>\(HTML.escape(cycle.study ?? "–"))</td>"
            html += "<td>\(cycle.act?.rawValue ?? "–")</td><td>\(dates)</td></tr>"
        }
        return html + "</tbody></table></div>"
    }

    private func storiesSection(_ stories: [Story]) -> String {
        guard !stories.isEmpty else { return "" }
        var html = "<h3>Stories</h3>"
        for story in stories.sorted(by: { $0.date < $1.date }) {
            html += "<blockquote class=\"story \(story.kind.rawValue)\"><p>\(HTML.escape(story.text))</p>"
            html += "<footer>\(story.kind.rawValue) story · \(story.date) · \(HTML.escape(story.site))\(story.title.map { " · " + HTML.escape($0) } ?? "")</footer></blockquote>"
        }
        return html
    }

    private func qualitySection(_ quality: DataQualityReport) -> String {
        var items: [String] = []
        for gap in quality.missing {
            items.append("\(HTML.escape(gap.measure)) at \(HTML.escape(gap.unit)): \(gap.count) missing period(s), latest \(gap.recent.suffix(3).joined(separator: ", "))")
        }
        for value in quality.overwritten {
            items.append("\(HTML.escape(value.observation)) \(value.field): \(HTML.escape(value.lost.json)) by \(HTML.escape(value.lostBy)) was overwritten by \(HTML.escape(value.kept.json)) by \(HTML.escape(value.keptBy))\(value.resolved ? " (resolved)" : " (waiting for a coordinator)")")
        }
        for point in quality.unexplainedOutliers.prefix(50) {
            let place = point.unit ?? point.site + " (all units)"
            let baseline = point.inBaseline ? ", inside the baseline the limits rest on" : ""
            items.append("\(HTML.escape(point.measure)) at \(HTML.escape(place)), \(point.period): beyond the limits with no note\(baseline)")
        }
        for point in quality.excludedPoints.prefix(50) {
            let place = point.unit ?? point.site + " (all units)"
            items.append("\(HTML.escape(point.measure)) at \(HTML.escape(place)), \(point.period): excluded from the limits (\(HTML.escape(point.reason)))")
        }
        for edit in quality.editedAfterTheFact.prefix(50) {
            items.append("\(HTML.escape(edit.observation)): recorded by \(HTML.escape(edit.recordedBy)), changed by " + edit.edits.map { "\(HTML.escape($0.author)) (\($0.at))" }.joined(separator: ", "))
        }
        return "<h3>Data quality</h3>" + (items.isEmpty ? "<p>No findings.</p>" : "<ul class=\"quality\">" + items.map { "<li>\($0)</li>" }.joined() + "</ul>")
    }

    static let style = """
        body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:960px;padding:12px;color:#1d2733}
        h1{font-size:1.5em;margin:.2em 0}h2{border-bottom:2px solid #2f6f9f;padding-bottom:.2em}h3{margin-top:1.6em}
        .meta{color:#5b6776;font-size:.9em}.aim{background:#eef5fb;padding:.6em;border-radius:6px}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9em}
        th,td{border-bottom:1px solid #d9dee5;padding:.35em .4em;text-align:left;vertical-align:top}
        tr.site td{font-weight:600;background:#f6f8fa}.verdict.improving{color:#1b7f3b}.verdict.deteriorating{color:#b3261e}
        .flags li{color:#b3261e}.flags li.stale{color:#8a5a00}
        figure.chart{margin:1.2em 0;page-break-inside:avoid;break-inside:avoid}figcaption{font-weight:600}
        svg{width:100%;height:auto;background:#fff;border:1px solid #e3e7ec;border-radius:4px}
        .axis{font-size:10px;fill:#5b6776}.centre{stroke:#2f6f9f;stroke-width:1.5;fill:none}
        .limit{stroke:#9aa5b1;stroke-dasharray:4 3;fill:none}.data{stroke:#44505c;stroke-width:1;fill:none}
        .point{fill:#44505c}.point.signal{fill:#d93025;stroke:#fff;stroke-width:1}.point.excluded{fill:#fff;stroke:#44505c;stroke-width:1.5}
        p.verdict{margin:.3em 0}p.verdict.improving{color:#1b7f3b}p.verdict.deteriorating,p.verdict.unstable-baseline{color:#b3261e}
        .signals li.improvement{color:#1b7f3b}.signals li.concern{color:#b3261e}.signals li.warning{color:#8a5a00}
        .phase{stroke:#8a5a00;stroke-dasharray:2 3}.annotation path{fill:#8a5a00}.annotation text{font-size:10px;fill:#8a5a00}
        .signals{font-size:.9em;color:#444}.definition{font-size:.85em;color:#5b6776}
        blockquote.story{border-left:4px solid #2f6f9f;margin:.8em 0;padding:.2em .8em;background:#f6f8fa}
        blockquote.story.side-effect{border-color:#b3261e}blockquote footer{font-size:.85em;color:#5b6776}
        .drivers ul{margin:.2em 0 .2em 1.2em;padding:0}.drivers .primary{font-weight:600}.drivers .change{color:#1b7f3b}
        @media print{body{max-width:none;font-size:11pt}.scroll{overflow:visible}a{color:inherit}}
        """
}

/// `improve report`: the self-contained HTML report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Writes one self-contained HTML report (charts, progress, drivers, PDSA cycles, stories, data quality).",
        discussion: "The file needs no network and runs no scripts: email it, open it on a phone, or print it.")

    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "FILE.html"))
    var out: String
    @Option(help: "Only this programme.")
    var programme: String?
    @OptionGroup var location: StoreLocation

    func validate() throws {
        guard !out.isEmpty else { throw ValidationError("--out needs a file name, for example --out report.html") }
    }

    func run() throws {
        let device = try Device.open(location)
        if let programme, try device.store.record(Programme.self, id: programme) == nil {
            throw CLIError("There is no programme \"\(programme)\" on this device. List them with improve programme list.")
        }
        let html = try HTMLReport(store: device.store, programmeID: programme).rendered()
        do {
            try html.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("Could not write \(out): \(error.localizedDescription). Check the folder exists and can be written.")
        }
        Console.line("Wrote \(out) (\(html.utf8.count / 1024) KB).")
    }
}
