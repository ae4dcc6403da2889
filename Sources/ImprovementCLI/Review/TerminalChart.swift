import Foundation
import ImprovementCore

/// A run chart or control chart drawn as text, one line per period, fitted to the terminal's
/// width: a numeric scale on top, `:` the centre line, `|` the control limits, `┆` the target,
/// `●` a point, `■` a signal of improvement, `◆` a signal of concern, `◉` another signal, `×`
/// a point excluded from the limits. A line marks each phase start with its note, every other
/// annotation is printed in full before its period, and missing periods get a line of their own.
/// Values are shown as the measure expresses them (per 1,000, %), and the chart ends with the
/// verdict every other view states too. With `colour`, signals are blue (improvement) and orange
/// (concern) as in the report; the shapes alone still tell them apart.
struct TerminalChart {
    let result: ChartResult
    let title: String
    /// The notes that start phases and exclude points, by point index.
    var phaseNotes: [Int: Annotation] = [:]
    var exclusionNotes: [Int: Annotation] = [:]
    /// Every note on the series, printed before the period it falls in.
    var annotations: [Annotation] = []
    var target: Double?
    var frequency: Measure.Frequency = .week
    /// The terminal's width in columns.
    var width = 80
    var colour = false

    private static let dateWidth = 11
    private static let valueWidth = 9

    private var plotWidth: Int { max(24, width - Self.dateWidth - Self.valueWidth - 4 - 15) }

    private func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func rendered() -> String {
        let expression = result.expression
        var lines: [String] = wrap(title + (expression.caption.map { " (\($0))" } ?? ""))
        for phase in result.phases {
            let label =
                result.phases.count > 1
                ? "phase \(phase.number) \(DayText.period(phase.from)) – \(DayText.period(phase.to)): " : ""
            lines += wrap(label + "centre \(expression.number(phase.centre))" + limitsSummary(phase), indent: "  ")
        }
        if result.phases.isEmpty { lines.append("centre –") }
        if let target { lines.append("target \(expression.text(target))") }
        var bounds =
            result.points.compactMap(\.value) + result.points.compactMap(\.lcl) + result.points.compactMap(\.ucl)
        guard !bounds.isEmpty else { return (lines + ["No data points yet."]).joined(separator: "\n") }
        if let target { bounds.append(target) }
        let multiplier = expression.multiplier
        var (low, high) = ChartAxis.niceRange(
            low: bounds.min()! * multiplier, high: bounds.max()! * multiplier, count: 4)
        // Counts, rates and proportions never go below zero: neither does their scale.
        if bounds.min()! >= 0 { low = max(0, low) }
        if high <= low { high = low + 1 }
        let plot = plotWidth
        func column(_ raw: Double) -> Int {
            min(plot - 1, max(0, Int(((raw * multiplier - low) / (high - low) * Double(plot - 1)).rounded())))
        }
        let lead = String(repeating: " ", count: Self.dateWidth + Self.valueWidth + 4)
        // The scale: round values over a ruler, every label inside the plot's width.
        var labels = Array(repeating: Character(" "), count: plot + 12)
        var ruler = Array(repeating: Character("─"), count: plot)
        for tick in ChartAxis.valueTicks(low: low, high: high, count: 4) {
            let position = column(tick / multiplier)
            ruler[position] = "┼"
            let text = Array(expression.number(tick / multiplier))
            let start = min(max(0, position - text.count / 2), labels.count - text.count)
            guard labels[max(0, start - 1)..<min(labels.count, start + text.count + 1)].allSatisfy({ $0 == " " }) else {
                continue
            }
            for (offset, character) in text.enumerated() { labels[start + offset] = character }
        }
        lines.append("")
        lines.append(lead + String(labels).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        lines.append(
            pad("date", Self.dateWidth, right: false) + "  " + pad("value", Self.valueWidth) + "  " + String(ruler))

        let byPeriodNotes = notesByPoint()
        var previousDay: Day?
        for (index, point) in result.points.enumerated() {
            let day = Day(point.period)
            if let previousDay, let day {
                var expected = ChartAxis.next(previousDay, frequency: frequency)
                var missing = 0
                while expected < day && missing < 10_000 {
                    missing += 1
                    expected = ChartAxis.next(expected, frequency: frequency)
                }
                if missing > 0 {
                    lines.append(
                        paint(
                            pad("", Self.dateWidth, right: false)
                                + "  ⋮ no data for \(missing) period\(missing == 1 ? "" : "s")", "2"))
                }
            }
            previousDay = day ?? previousDay
            if index > 0, point.phase != result.points[index - 1].phase {
                let note = phaseNotes[index]
                let label =
                    "── phase \(point.phase) from \(DayText.period(point.period))" + (note.map { ": \($0.text)" } ?? "")
                    + " ──"
                lines += wrap(label, indent: "   ").map { paint($0, "33") }
            }
            for note in byPeriodNotes[index] ?? [] {
                lines += wrap("  ▸ \(DayText.long(note.date)): \(note.text)", indent: "    ").map { paint($0, "33") }
            }
            var row = Array(repeating: " ", count: plot)
            if let target { row[column(target)] = paint("┆", "32") }
            if let lcl = point.lcl { row[column(lcl)] = "|" }
            if let ucl = point.ucl { row[column(ucl)] = "|" }
            if let centre = point.centre { row[column(centre)] = paint(":", "36") }
            var marker = ""
            var reason: String?
            if let value = point.value {
                let mark = PointMark(result, index)
                let symbol: String
                switch mark {
                case .plain: symbol = "●"
                case .excluded: symbol = "×"
                case .improvement: symbol = paint("■", "1;34")
                case .concern: symbol = paint("◆", "1;38;5;208")
                case .signal: symbol = paint("◉", "1;35")
                }
                row[column(value)] = symbol
                if point.excluded {
                    marker = " excluded"
                    reason = exclusionNotes[index].map { "excluded: \($0.text)" }
                } else if point.outside {
                    marker = " beyond limits"
                }
            }
            let date = day.map(DayText.long) ?? point.period
            let line =
                pad(date, Self.dateWidth, right: false) + "  " + pad(expression.number(point.value), Self.valueWidth)
                + "  "
                + row.joined() + marker
            lines.append(String(line.reversed().drop { $0 == " " }.reversed()))
            // The reason gets a line of its own, so it is never cut to fit beside the plot.
            if let reason {
                lines += wrap(String(repeating: " ", count: 13) + reason, indent: String(repeating: " ", count: 15))
            }
        }
        lines.append("")
        let runs = result.runs
        let phaseWord = result.phases.count > 1 ? " (phase \(result.phases.count))" : ""
        lines += wrap(
            "runs\(phaseWord): \(runs.useful) useful points, longest run \(runs.longestRun) (signal above "
                + "\(runs.longestRunMax)), crossings \(runs.crossings) (signal below \(runs.crossingsMin))")
        for signal in result.signals {
            let (word, symbol): (String, String)
            switch signal.direction {
            case .improvement: (word, symbol) = ("improvement", paint("■", "1;34"))
            case .concern: (word, symbol) = ("concern", paint("◆", "1;38;5;208"))
            case .neutral: (word, symbol) = ("signal", paint("◉", "1;35"))
            }
            lines += wrap("\(symbol) \(word): " + DayText.names(in: signal.message), indent: "  ")
        }
        for warning in result.warnings { lines += wrap("! " + DayText.names(in: warning.message), indent: "  ") }
        if let words = MDCIcons.variationWords(result.mdcVariation) {
            lines += wrap("Variation — " + words, indent: "  ")
        }
        if let words = MDCIcons.assuranceWords(result.mdcAssurance) {
            lines += wrap("Assurance — " + words, indent: "  ")
        }
        lines += wrap("Verdict — " + DayText.names(in: result.verdict.reason), indent: "  ")
        return lines.joined(separator: "\n")
    }

    /// The annotations that neither start a phase nor exclude a point, by the index of the first
    /// point on or after their date (notes after the last point go with the last).
    private func notesByPoint() -> [Int: [Annotation]] {
        let shown = Set((Array(phaseNotes.values) + Array(exclusionNotes.values)).map(\.id))
        var result: [Int: [Annotation]] = [:]
        guard !self.result.points.isEmpty else { return [:] }
        for note in annotations where !shown.contains(note.id) {
            let index =
                self.result.points.firstIndex { $0.period >= note.date.description } ?? self.result.points.count - 1
            result[index, default: []].append(note)
        }
        return result
    }

    private func wrap(_ text: String, indent: String = "") -> [String] {
        TextWrap.lines(text, width: width, indent: indent)
    }

    /// The text cut to `width` characters, with an ellipsis when it was longer.
    static func fit(_ text: String, _ width: Int) -> String {
        guard text.count > width else { return text }
        return String(text.prefix(max(0, width - 1))) + "…"
    }

    /// Breaks text into lines of at most 80 columns at spaces.
    static func wrap(_ text: String, indent: String = "") -> [String] {
        TextWrap.lines(text, width: 80, indent: indent)
    }

    private func limitsSummary(_ phase: ChartPhaseSummary) -> String {
        let expression = result.expression
        if result.kind == .run { return "  (median; a run chart has no limits)" }
        if phase.limitsVary { return "   limits vary with the denominator" }
        if phase.lcl == nil && phase.ucl == nil { return "   no limits" }
        return "   LCL \(expression.number(phase.lcl))   UCL \(expression.number(phase.ucl))"
    }

    private func pad(_ text: String, _ width: Int, right: Bool = true) -> String {
        guard text.count < width else { return text }
        let space = String(repeating: " ", count: width - text.count)
        return right ? space + text : text + space
    }
}
