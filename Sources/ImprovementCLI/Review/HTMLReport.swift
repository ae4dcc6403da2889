import ArgumentParser
import Foundation
import ImprovementCore

/// One self-contained HTML page (no scripts, no network) a ward can open on a phone, email or print:
/// the aim and driver diagram (drawn as a tree), progress with flags, per measure and site the
/// site's chart and one per unit as small multiples, PDSA cycles, stories and data-quality findings.
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
        let names = RecordNames(
            sites: try allRecords(Site.self), units: try allRecords(ImprovementCore.Unit.self), measures: measures)

        var body =
            "<header><h1>Improvement report</h1><p class=\"meta\">Data as of \(DayText.long(today)) · made by improve</p></header>"
        if programmes.isEmpty { body += "<p>No programme on this device yet.</p>" }
        for programme in programmes {
            let ownMeasures = measures.filter { $0.programme == programme.id }
            let (progress, quality) = try ProgressAnalysis.review(store: store, programme: programme.id)
            body += "<section class=\"programme\"><h2>\(HTML.escape(programme.name))</h2>"
            body += "<p class=\"aim\"><strong>Aim:</strong> \(HTML.escape(programme.aim))</p>"
            let dates = [
                programme.start.map { "from \(DayText.long($0))" }, programme.end.map { "to \(DayText.long($0))" },
            ]
            .compactMap { $0 }
            body +=
                "<p class=\"meta\">Status: \(programme.status.rawValue)\(dates.isEmpty ? "" : " · " + dates.joined(separator: " "))</p>"
            body += driverDiagram(
                programme, drivers.filter { $0.programme == programme.id }, measures: ownMeasures, cycles: cycles)
            body += progressSection(progress, names: names)
            body += try chartsSection(ownMeasures, progress: progress, names: names)
            body += try funnelSection(ownMeasures)  // Funnel plots (improve compare): FunnelSVG.swift
            let ideas = Set(drivers.filter { $0.programme == programme.id && $0.kind == .change }.map(\.id))
            body += cyclesSection(cycles.filter { ideas.contains($0.changeIdea) }, drivers: drivers)
            let measureIDs = Set(ownMeasures.map(\.id))
            body += storiesSection(
                stories.filter { $0.measure == nil || measureIDs.contains($0.measure!) }, names: names)
            body += qualitySection(quality, names: names)
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

    private func driverDiagram(
        _ programme: Programme, _ nodes: [DriverNode], measures: [Measure], cycles: [PDSACycle]
    )
        -> String
    {
        guard !nodes.isEmpty else { return "" }
        var details: [String: [String]] = [:]
        for kind in Measure.Kind.allCases {
            let names = measures.filter { $0.type == kind }.map(\.name)
            if !names.isEmpty {
                details["", default: []].append(
                    "\(kind.rawValue.capitalized) measures: " + names.joined(separator: "; "))
            }
        }
        let measureNames = Dictionary(measures.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        for node in nodes where !node.measures.isEmpty {
            details[node.id, default: []].append(
                "Measures: " + node.measures.map { measureNames[$0] ?? $0 }.joined(separator: "; "))
        }
        for cycle in cycles.sorted(by: {
            ($0.start ?? Day(dayNumber: 0), $0.id) < ($1.start ?? Day(dayNumber: 0), $1.id)
        }) {
            details[cycle.changeIdea, default: []].append(
                "PDSA: \(cycle.title)" + (cycle.act.map { " (\($0.rawValue))" } ?? ""))
        }
        let diagram = DriverDiagramSVG(aim: programme.aim, nodes: nodes, details: details)
        return "<h3>Driver diagram</h3><div class=\"drivers\">\(diagram.wide())\(diagram.narrow())</div>"
    }

    private func progressSection(_ progress: ProgressReport, names: RecordNames) -> String {
        guard !progress.measures.isEmpty else { return "<h3>Progress</h3><p>No data points yet.</p>" }
        var html = "<h3>Progress</h3>"
        if !progress.flags.isEmpty {
            html +=
                "<ul class=\"flags\">"
                + progress.flags.map { "<li class=\"\($0.kind.rawValue)\">\(HTML.escape(names.message($0)))</li>" }
                .joined() + "</ul>"
        }
        html +=
            "<div class=\"scroll\"><table><thead><tr><th>Measure</th><th>Where</th><th>Points</th><th>Baseline</th><th>Current</th><th>Verdict</th><th>Target</th><th>Complete</th><th>Last data</th></tr></thead><tbody>"
        for row in progress.measures.sorted(by: {
            ($0.name, $0.site, $0.unit ?? "") < ($1.name, $1.site, $1.unit ?? "")
        }) {
            let expression = row.expression
            let target = row.target.map { expression.number($0) + (row.targetMet == true ? " ✓" : "") } ?? "–"
            let words = expression.words.map { $0 == "%" ? "" : ", " + $0 } ?? ""
            html +=
                "<tr class=\"\(row.unit == nil ? "site" : "unit")\"><td>\(HTML.escape(row.name)) <small>(\(row.type.rawValue)\(HTML.escape(words)))</small></td>"
            html += "<td>\(HTML.escape(names.place(site: row.site, unit: row.unit)))</td><td>\(row.points)</td>"
            html +=
                "<td>\(HTML.escape(expression.number(row.baselineCentre)))</td><td>\(HTML.escape(expression.number(row.currentCentre)))</td>"
            html +=
                "<td class=\"verdict \(row.verdict.rawValue)\" title=\"\(HTML.escape(DayText.names(in: row.reason)))\">\(row.verdict.rawValue)</td><td>\(HTML.escape(target))</td>"
            html +=
                "<td>\(Int((row.completeness * 100).rounded()))%</td><td class=\"date\">\(row.lastPeriod.map(DayText.unbroken) ?? "–")</td></tr>"
        }
        html += "</tbody></table></div>"
        if !progress.peers.isEmpty {
            html += "<h4>The same measure across sites (best first)</h4><ul>"
            for peer in progress.peers {
                let expression = progress.measures.first { $0.measure == peer.measure }?.expression ?? .plain
                html +=
                    "<li>\(HTML.escape(peer.name)): "
                    + peer.sites.map {
                        "\(HTML.escape(names.site($0.site))) \(HTML.escape(expression.text($0.currentCentre))) (\($0.verdict.rawValue))"
                    }.joined(separator: " · ") + "</li>"
            }
            html += "</ul>"
        }
        return html
    }

    /// Per measure and site: the site's pooled chart, then one chart per unit, in a grid (small
    /// multiples). Unit charts share one value scale, and the pooled chart joins it when its values
    /// are rates or proportions (pooled counts are sums, on a scale of their own).
    private func chartsSection(_ measures: [Measure], progress: ProgressReport, names: RecordNames) throws -> String {
        var html = "<h3>Charts</h3>"
        for measure in measures {
            let rows = progress.measures.filter { $0.measure == measure.id }
            let sites = Set(rows.map(\.site)).sorted { names.site($0) < names.site($1) }
            guard !sites.isEmpty else { continue }
            let caption = measure.expression.caption.map { ", \($0)" } ?? ""
            html +=
                "<section class=\"measure\"><h4>\(HTML.escape(measure.name)) <small>(\(measure.type.rawValue), "
                + "\(measure.chart.rawValue) chart\(HTML.escape(caption)))</small></h4>"
            for site in sites {
                let units = Set(rows.filter { $0.site == site }.compactMap(\.unit)).sorted {
                    names.unit($0) < names.unit($1)
                }
                var charts: [(title: String, series: ChartSeries, result: ChartResult, pooled: Bool)] = []
                let pooled = try ChartSeries.load(store: store, measure: measure, site: site)
                if !pooled.inputs.isEmpty, let result = try? ChartAnalysis.analyse(pooled) {
                    charts.append(("\(names.site(site)) — all units", pooled, result, true))
                }
                for unit in units {
                    let series = try ChartSeries.load(store: store, measure: measure, unit: unit)
                    guard !series.inputs.isEmpty, let result = try? ChartAnalysis.analyse(series) else { continue }
                    charts.append((names.unit(unit), series, result, false))
                }
                let sharesScale: (Bool) -> Bool = { pooled in !pooled || !measure.chart.isCount }
                let ranges = charts.filter { sharesScale($0.pooled) }.compactMap {
                    SVGChart.range(of: $0.result, target: measure.target)
                }
                let shared: (low: Double, high: Double)? =
                    ranges.isEmpty ? nil : (ranges.map(\.low).min()!, ranges.map(\.high).max()!)
                html += "<div class=\"multiples\">"
                for chart in charts {
                    html += figure(
                        chart.title, measure: measure, series: chart.series, result: chart.result,
                        range: sharesScale(chart.pooled) && charts.count > 1 ? shared : nil, pooled: chart.pooled)
                }
                html += "</div>"
            }
            if let definition = measure.definition.numerator {
                html +=
                    "<p class=\"definition\">Numerator: \(HTML.escape(definition))"
                    + (measure.definition.denominator.map { " · Denominator: \(HTML.escape($0))" } ?? "") + "</p>"
            }
            html += "</section>"
        }
        return html
    }

    /// One chart with its MDC icons, numbered notes, verdict and signals.
    private func figure(
        _ title: String, measure: Measure, series: ChartSeries, result: ChartResult,
        range: (low: Double, high: Double)?,
        pooled: Bool
    ) -> String {
        let chart = SVGChart(
            result: result, annotations: series.annotations, phaseStarts: series.phaseStarts,
            title: "\(measure.name) — \(title)", target: measure.target, frequency: measure.frequency,
            sharedRange: range)
        var html =
            "<figure class=\"chart\(pooled ? " pooled" : " unit")\"><figcaption><span class=\"where\">\(HTML.escape(title))</span>"
        html += MDCIcons.html(
            variation: result.mdcVariation, side: result.mdcSide, assurance: result.mdcAssurance
        )
        html += "</figcaption>" + chart.rendered()
        let notes = chart.notes
        if !notes.isEmpty {
            html +=
                "<ol class=\"notes\">"
                + notes.map {
                    "<li><span class=\"date\">\(DayText.unbroken($0.date.description))</span>: \(HTML.escape($0.text))</li>"
                }.joined() + "</ol>"
        }
        html +=
            "<p class=\"verdict \(result.verdict.verdict.rawValue)\"><strong>Verdict:</strong> \(HTML.escape(DayText.names(in: result.verdict.reason)))</p>"
        let messages =
            result.signals.map {
                "<li class=\"\($0.direction.rawValue)\">\(HTML.escape($0.direction.rawValue)): \(HTML.escape(DayText.names(in: $0.message)))</li>"
            }
            + result.warnings.map { "<li class=\"warning\">\(HTML.escape(DayText.names(in: $0.message)))</li>" }
        if !messages.isEmpty { html += "<ul class=\"signals\">\(messages.joined())</ul>" }
        return html + "</figure>"
    }

    private func cyclesSection(_ cycles: [PDSACycle], drivers: [DriverNode]) -> String {
        guard !cycles.isEmpty else { return "" }
        var html =
            "<h3>PDSA cycles</h3><div class=\"scroll\"><table><thead><tr><th>Cycle</th><th>Change idea</th><th>Prediction</th><th>Study</th><th>Act</th><th>Dates</th></tr></thead><tbody>"
        for cycle in cycles.sorted(by: { ($0.start ?? Day(dayNumber: 0)) < ($1.start ?? Day(dayNumber: 0)) }) {
            let idea = drivers.first { $0.id == cycle.changeIdea }?.text ?? cycle.changeIdea
            let dates = [cycle.start.map(DayText.long), cycle.end.map(DayText.long)].compactMap { $0 }.joined(
                separator: " – ")
            html +=
                "<tr><td>\(HTML.escape(cycle.title))<br><small>\(HTML.escape(cycle.plan))</small></td><td>\(HTML.escape(idea))</td>"
            html += "<td>\(HTML.escape(cycle.prediction ?? "–"))</td><td>\(HTML.escape(cycle.study ?? "–"))</td>"
            html += "<td>\(cycle.act?.rawValue ?? "–")</td><td>\(dates)</td></tr>"
        }
        return html + "</tbody></table></div>"
    }

    private func storiesSection(_ stories: [Story], names: RecordNames) -> String {
        guard !stories.isEmpty else { return "" }
        var html = "<h3>Stories</h3>"
        for story in stories.sorted(by: { $0.date < $1.date }) {
            html += "<blockquote class=\"story \(story.kind.rawValue)\"><p>\(HTML.escape(story.text))</p>"
            html +=
                "<footer>\(story.kind.rawValue) story · \(DayText.long(story.date)) · \(HTML.escape(names.place(site: story.site, unit: story.unit, pooled: false)))\(story.title.map { " · " + HTML.escape($0) } ?? "")</footer></blockquote>"
        }
        return html
    }

    private func qualitySection(_ quality: DataQualityReport, names: RecordNames) -> String {
        let lines = QualityText.lines(quality, names: names, limit: 50)
        return "<h3>Data quality</h3>"
            + (lines.isEmpty
                ? "<p>No findings.</p>"
                : "<ul class=\"quality\">" + lines.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>")
    }

    static let style = """
        body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:960px;padding:12px;color:#1d2733}
        h1{font-size:1.5em;margin:.2em 0}h2{border-bottom:2px solid #2f6f9f;padding-bottom:.2em}h3{margin-top:1.6em}
        h4{margin:1.2em 0 .4em}h4 small{font-weight:400;color:#5b6776}
        .meta{color:#5b6776;font-size:.9em}.aim{background:#eef5fb;padding:.6em;border-radius:6px}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9em}
        th,td{border-bottom:1px solid #d9dee5;padding:.35em .4em;text-align:left;vertical-align:top}
        td.date,.date{white-space:nowrap}
        tr.site td{font-weight:600;background:#f6f8fa}.verdict.improving{color:#1b7f3b}.verdict.deteriorating{color:#b3261e}
        .flags li{color:#b3261e}.flags li.stale{color:#8a5a00}
        .multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,380px),1fr));gap:14px}
        figure.chart{margin:0;min-width:0;page-break-inside:avoid;break-inside:avoid}
        figure.pooled svg.chart{border-color:#2f6f9f}
        figcaption{font-weight:600;display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:6px;margin-bottom:4px}
        .mdc{display:flex;align-items:center;gap:6px;font-weight:400;font-size:.72em;color:#5b6776;max-width:100%}
        .mdc svg.icons{flex:none}
        svg.chart{display:block;width:100%;height:auto;background:#fff;border:1px solid #e3e7ec;border-radius:4px}
        ol.notes{font-size:.85em;color:#7a4f00;margin:.3em 0;padding-left:1.6em}
        p.verdict{margin:.3em 0;font-size:.92em}p.verdict.improving{color:#1b7f3b}p.verdict.deteriorating,p.verdict.unstable-baseline{color:#b3261e}
        .signals li.improvement{color:#1f6fb2}.signals li.concern{color:#b35400}.signals li.warning{color:#8a5a00}
        .signals{font-size:.85em;color:#444;padding-left:1.2em}.definition{font-size:.85em;color:#5b6776}
        blockquote.story{border-left:4px solid #2f6f9f;margin:.8em 0;padding:.2em .8em;background:#f6f8fa}
        blockquote.story.side-effect{border-color:#b3261e}blockquote footer{font-size:.85em;color:#5b6776}
        .drivers svg{display:block;width:100%;height:auto}.drivers svg.narrow{display:none;max-width:480px}
        @media (max-width:700px){.drivers svg.wide{display:none}.drivers svg.narrow{display:block}}
        @media print{body{max-width:none;font-size:11pt}.scroll{overflow:visible}a{color:inherit}}
        """
}

/// `improve report`: the self-contained HTML report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Writes one self-contained HTML report (charts, progress, drivers, PDSA cycles, stories, data quality).",
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
            throw CLIError(
                "There is no programme \"\(programme)\" on this device. List them with improve programme list.")
        }
        let html = try HTMLReport(store: device.store, programmeID: programme).rendered()
        do {
            try html.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError(
                "Could not write \(out): \(error.localizedDescription). Check the folder exists and can be written.")
        }
        Console.line("Wrote \(out) (\(html.utf8.count / 1024) KB).")
    }
}
