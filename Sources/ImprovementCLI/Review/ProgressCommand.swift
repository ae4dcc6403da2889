import ArgumentParser
import Foundation
import ImprovementCore

/// `improve progress`: every measure per site and unit, with flags and peer comparison.
struct ProgressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "progress",
        abstract: "Shows each measure's baseline and current level, its signal and completeness, per site and unit.",
        discussion: """
            Each series is charted exactly as improve chart charts it (the measure's chart, phases, \
            exclusions), and the verdict is the chart's: improving / deteriorating (the latest signal \
            moved the way the measure wants / against it; with phases, the latest phase is first \
            tested against the previous phase's lines extended forward), no-signal, too-few-points, \
            unclear (a signal without a direction), unstable-baseline (the lines rest on an \
            unexplained point beyond the limits: explain it with a note or exclude it with improve \
            annotate --exclude). Baseline is the first phase's centre line, current the last phase's; \
            both are shown as the measure expresses them (per 1,000, %); --json keeps raw values and \
            states multiplier. Flags: a balancing measure deteriorating while an outcome improves, \
            measures with no data for two periods, baselines holding an unexplained special cause. \
            Variation and assurance follow Making Data Count as improve chart states them (--json: \
            variation, assurance per row).
            """)

    @Option(help: "Only this programme.")
    var programme: String?
    @Flag(help: "Print the progress report as JSON.")
    var json = false
    @OptionGroup var location: StoreLocation

    func run() throws {
        let device = try Device.open(location)
        if let programme, try device.store.record(Programme.self, id: programme) == nil {
            throw CLIError("There is no programme \"\(programme)\" on this device. List them with improve programme list.")
        }
        let (progress, _) = try ProgressAnalysis.review(store: device.store, programme: programme)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Console.line(String(decoding: try encoder.encode(progress), as: UTF8.self))
            return
        }
        Console.line(Self.table(progress))
    }

    static func table(_ progress: ProgressReport) -> String {
        guard !progress.measures.isEmpty else { return "No data points yet." }
        var lines = ["measure              where            pts  baseline  current  verdict            target  complete  last"]
        let rows = progress.measures.sorted { ($0.measure, $0.site, $0.unit ?? "") < ($1.measure, $1.site, $1.unit ?? "") }
        for row in rows {
            let expression = row.expression
            let place = row.unit ?? "\(row.site) (all)"
            let target = row.targetMet.map { $0 ? "met" : "not met" } ?? "–"
            lines.append(
                [
                    fit(row.measure, 20), fit(place, 16), fit(String(row.points), 4, right: true),
                    fit(expression.number(row.baselineCentre), 9, right: true),
                    fit(expression.number(row.currentCentre), 8, right: true), fit(row.verdict.rawValue, 18),
                    fit(target, 7), fit(String(Int((row.completeness * 100).rounded())) + "%", 8, right: true),
                    row.lastPeriod ?? "–",
                ].joined(separator: " "))
        }
        let units = Dictionary(grouping: rows.filter { $0.expression.words != nil }, by: \.measure)
            .compactMapValues { $0.first?.expression.words }
        if !units.isEmpty {
            lines.append("")
            lines.append("Values shown: " + units.keys.sorted().map { "\($0) \(units[$0]!)" }.joined(separator: "; "))
        }
        let explained = rows.filter { $0.verdict != .noSignal && $0.verdict != .tooFewPoints }
        if !explained.isEmpty {
            lines.append("")
            lines.append("Why:")
            for row in explained {
                let place = row.unit ?? "\(row.site) (all units)"
                lines += TerminalChart.wrap("  \(row.measure) at \(place): \(row.reason)", indent: "    ")
            }
        }
        // Making Data Count's reading of each series: variation of the latest point, assurance of the target.
        let judged = rows.filter { $0.variation != nil || $0.assurance != nil }
        if !judged.isEmpty {
            lines.append("")
            lines.append("Variation and assurance (Making Data Count):")
            for row in judged {
                let place = row.unit ?? "\(row.site) (all units)"
                let assurance = row.assurance.map { "; \($0.label)" } ?? ""
                lines += TerminalChart.wrap(
                    "  \(row.measure) at \(place): \(row.variation?.label ?? "not judged")\(assurance)", indent: "    ")
            }
        }
        if !progress.flags.isEmpty {
            lines.append("")
            lines.append("Flags:")
            for flag in progress.flags { lines.append("  ! " + flag.message) }
        }
        if !progress.peers.isEmpty {
            lines.append("")
            lines.append("Across sites (best first):")
            for peer in progress.peers {
                let expression = progress.measures.first { $0.measure == peer.measure }?.expression ?? .plain
                let sites = peer.sites.map { "\($0.site) \(expression.number($0.currentCentre))" }
                lines.append("  \(peer.name): " + sites.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }

    static func fit(_ text: String, _ width: Int, right: Bool = false) -> String {
        if text.count > width { return String(text.prefix(width - 1)) + "…" }
        let space = String(repeating: " ", count: width - text.count)
        return right ? space + text : text + space
    }
}

/// `improve quality`: whether the data can be believed.
struct QualityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Lists missing periods, values lost in conflicts, unexplained outliers and late edits.")

    @Option(help: "Only this programme.")
    var programme: String?
    @Flag(help: "Print the findings as JSON.")
    var json = false
    @OptionGroup var location: StoreLocation

    func run() throws {
        let device = try Device.open(location)
        let (_, quality) = try ProgressAnalysis.review(store: device.store, programme: programme)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Console.line(String(decoding: try encoder.encode(quality), as: UTF8.self))
            return
        }
        var lines: [String] = []
        for gap in quality.missing {
            lines.append("missing: \(gap.measure) at \(gap.unit): \(gap.count) period(s), latest \(gap.recent.suffix(3).joined(separator: ", "))")
        }
        for value in quality.overwritten {
            lines.append(
                "overwritten: \(value.observation) \(value.field): \(value.lost.json) by \(value.lostBy) lost to "
                    + "\(value.kept.json) by \(value.keptBy)\(value.resolved ? " (resolved)" : " (open: improve conflicts)")")
        }
        for point in quality.unexplainedOutliers {
            let place = point.unit ?? "\(point.site) (all units)"
            let baseline = point.inBaseline ? " (inside the baseline the limits rest on)" : ""
            lines.append("beyond limits, no note: \(point.measure) at \(place), \(point.period)\(baseline)")
        }
        for point in quality.excludedPoints {
            let place = point.unit ?? "\(point.site) (all units)"
            lines.append("excluded from limits: \(point.measure) at \(place), \(point.period): \(point.reason)")
        }
        for edit in quality.editedAfterTheFact {
            let who = edit.edits.map { "\($0.author) at \($0.at)" }.joined(separator: "; ")
            lines.append("edited after recording: \(edit.observation) (recorded by \(edit.recordedBy)); changed by \(who)")
        }
        Console.line(lines.isEmpty ? "No data-quality findings." : lines.joined(separator: "\n"))
    }
}
