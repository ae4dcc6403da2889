import ArgumentParser
import Foundation
import ImprovementCore

/// `improve progress`: every measure per site and unit, with flags and peer comparison.
struct ProgressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "progress",
        abstract: "Shows each measure's baseline and current level, its signal and completeness, per site and unit.",
        discussion: """
            improving / deteriorating: a signal (run rule or point beyond the limits) in / against the
            measure's desired direction; no-signal: common-cause variation only; too-few-points: not
            enough data to judge. Flags: a balancing measure deteriorating while an outcome improves,
            and measures with no data for two periods.
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
        var lines = ["measure              where            pts  baseline  current  verdict          target  complete  last"]
        for row in progress.measures.sorted(by: { ($0.measure, $0.site, $0.unit ?? "") < ($1.measure, $1.site, $1.unit ?? "") }) {
            let kind = ChartKind(rawValue: row.chart) ?? .run
            let place = row.unit ?? "\(row.site) (all)"
            let target = row.targetMet.map { $0 ? "met" : "not met" } ?? "–"
            lines.append(
                [
                    fit(row.measure, 20), fit(place, 16), fit(String(row.points), 4, right: true),
                    fit(ValueText.format(row.baselineCentre, kind: kind), 9, right: true),
                    fit(ValueText.format(row.currentCentre, kind: kind), 8, right: true), fit(row.verdict.rawValue, 16),
                    fit(target, 7), fit(String(Int((row.completeness * 100).rounded())) + "%", 8, right: true),
                    row.lastPeriod ?? "–",
                ].joined(separator: " "))
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
                let sites = peer.sites.map { "\($0.site) \(ValueText.format($0.currentCentre, kind: .run))" }
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
            lines.append("beyond limits, no note: \(point.measure) at \(point.unit), \(point.period)")
        }
        for edit in quality.editedAfterTheFact {
            let who = edit.edits.map { "\($0.author) at \($0.at)" }.joined(separator: "; ")
            lines.append("edited after recording: \(edit.observation) (recorded by \(edit.recordedBy)); changed by \(who)")
        }
        Console.line(lines.isEmpty ? "No data-quality findings." : lines.joined(separator: "\n"))
    }
}
