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
            Units, sites and dates are shown by name, and the text wraps at the terminal's width \
            (COLUMNS when set): a table when it fits, one block per measure when it does not.
            """)

    @Option(help: "Only this programme.")
    var programme: String?
    @Flag(help: "Print the progress report as JSON.")
    var json = false
    @OptionGroup var location: StoreLocation

    func run() throws {
        let device = try Device.open(location)
        if let programme, try device.store.record(Programme.self, id: programme) == nil {
            throw CLIError(
                "There is no programme \"\(programme)\" on this device. List them with improve programme list.")
        }
        let (progress, _) = try ProgressAnalysis.review(store: device.store, programme: programme)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Console.line(String(decoding: try encoder.encode(progress), as: UTF8.self))
            return
        }
        Console.line(Self.table(progress, names: try RecordNames(store: device.store), width: TerminalSize.columns))
    }

    /// The progress report as text wrapped at `width` columns, never inside a word: a table when
    /// it fits, else one block per measure with a line per site and unit.
    static func table(_ progress: ProgressReport, names: RecordNames, width: Int = 80) -> String {
        guard !progress.measures.isEmpty else { return "No data points yet." }
        let rows = progress.measures.sorted {
            ($0.name, $0.site, $0.unit.map(names.unit) ?? "") < ($1.name, $1.site, $1.unit.map(names.unit) ?? "")
        }
        var lines = columns(rows, names: names, width: width) ?? blocks(rows, names: names, width: width)
        func paragraph(_ text: String, indent: String = "    ") {
            lines += TextWrap.lines(text, width: width, indent: indent)
        }
        let units = Dictionary(grouping: rows.filter { $0.expression.words != nil }, by: \.name)
            .compactMapValues { $0.first?.expression.words }
        if !units.isEmpty {
            lines.append("")
            paragraph(
                "Values shown: " + units.keys.sorted().map { "\(units[$0]!) (\($0))" }.joined(separator: "; "),
                indent: "  ")
        }
        let explained = rows.filter { $0.verdict != .noSignal && $0.verdict != .tooFewPoints }
        if !explained.isEmpty {
            lines.append("")
            lines.append("Why:")
            for row in explained {
                paragraph(
                    "  \(row.name) at \(names.place(site: row.site, unit: row.unit)): \(DayText.names(in: row.reason))")
            }
        }
        // Making Data Count's reading of each series: variation of the latest point, assurance of the target.
        let judged = rows.filter { $0.variation != nil || $0.assurance != nil }
        if !judged.isEmpty {
            lines.append("")
            lines.append("Variation and assurance (Making Data Count):")
            for row in judged {
                let assurance = row.assurance.map { "; \($0.label)" } ?? ""
                paragraph(
                    "  \(row.name) at \(names.place(site: row.site, unit: row.unit)): "
                        + "\(row.variation?.label ?? "not judged")\(assurance)")
            }
        }
        if !progress.flags.isEmpty {
            lines.append("")
            lines.append("Flags:")
            for flag in progress.flags { paragraph("  ! " + names.message(flag)) }
        }
        if !progress.peers.isEmpty {
            lines.append("")
            lines.append("Across sites (best first):")
            for peer in progress.peers {
                let expression = progress.measures.first { $0.measure == peer.measure }?.expression ?? .plain
                let sites = peer.sites.map { "\(names.site($0.site)) \(expression.number($0.currentCentre))" }
                paragraph("  \(peer.name): " + sites.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The cells of a row, as people read them.
    private static func cells(_ row: MeasureProgress, names: RecordNames) -> [String] {
        let expression = row.expression
        return [
            row.name, names.place(site: row.site, unit: row.unit), String(row.points),
            expression.number(row.baselineCentre), expression.number(row.currentCentre), row.verdict.rawValue,
            row.targetMet.map { $0 ? "met" : "not met" } ?? "–", "\(Int((row.completeness * 100).rounded()))%",
            row.lastPeriod.map(DayText.period) ?? "–",
        ]
    }

    /// A table with columns as wide as their widest cell, or nil when it would not fit `width`.
    private static func columns(_ rows: [MeasureProgress], names: RecordNames, width: Int) -> [String]? {
        let header = ["measure", "where", "pts", "baseline", "current", "verdict", "target", "complete", "last data"]
        let right: Set<Int> = [2, 3, 4, 7]
        let table = [header] + rows.map { cells($0, names: names) }
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        guard widths.reduce(0, +) + 2 * (widths.count - 1) <= width else { return nil }
        return table.map { cells in
            cells.indices.map { column in
                let space = String(repeating: " ", count: widths[column] - cells[column].count)
                return right.contains(column) ? space + cells[column] : cells[column] + space
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
    }

    /// One block per measure, a wrapped line per site and unit: for terminals too narrow for the table.
    private static func blocks(_ rows: [MeasureProgress], names: RecordNames, width: Int) -> [String] {
        var lines: [String] = []
        var current: String?
        for row in rows {
            if row.measure != current {
                if current != nil { lines.append("") }
                lines += TextWrap.lines("\(row.name) (\(row.type.rawValue))", width: width, indent: "  ")
                current = row.measure
            }
            let expression = row.expression
            let target = row.target.map {
                "target\u{00A0}\(expression.number($0))"
                    + (row.targetMet == true ? "\u{00A0}met" : "\u{00A0}not\u{00A0}met")
            }
            let parts = [
                row.verdict.rawValue,
                "baseline\u{00A0}\(expression.number(row.baselineCentre))\u{00A0}→\u{00A0}current\u{00A0}\(expression.number(row.currentCentre))",
                target, "\(row.points)\u{00A0}points, \(Int((row.completeness * 100).rounded()))%\u{00A0}complete",
                "last\u{00A0}data\u{00A0}" + (row.lastPeriod.map(DayText.unbroken) ?? "–"),
            ].compactMap { $0 }
            lines += TextWrap.lines(
                "  \(names.place(site: row.site, unit: row.unit)): " + parts.joined(separator: " · "), width: width,
                indent: "      ")
        }
        return lines
    }
}

/// `improve quality`: whether the data can be believed.
struct QualityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Lists missing periods, values lost in conflicts, unexplained outliers and late edits.",
        discussion: """
            Measures, units and dates are shown by name and wrapped at the terminal's width (COLUMNS \
            when set); --json keeps ids and ISO dates.
            """)

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
        let width = TerminalSize.columns
        let lines = QualityText.lines(quality, names: try RecordNames(store: device.store)).flatMap {
            TextWrap.lines($0, width: width, indent: "    ")
        }
        Console.line(lines.isEmpty ? "No data-quality findings." : lines.joined(separator: "\n"))
    }
}
