import ImprovementCore

/// A run chart or control chart drawn as text, one line per period, readable at 80 columns:
/// `:` is the centre line, `|` the control limits, `●` a point and `◆` a point that is part of a
/// signal.
struct TerminalChart {
    static let plotWidth = 40

    let result: ChartResult
    let title: String

    func rendered() -> String {
        var lines: [String] = Self.wrap(title)
        let kind = result.kind
        lines.append("centre \(ValueText.format(result.centre, kind: kind))" + limitsSummary())
        let signalled = Set(result.signals.filter { $0.rule.marksPoints }.flatMap(\.points))
        let values = result.points.compactMap(\.value)
        let bounds = values + result.points.compactMap(\.lcl) + result.points.compactMap(\.ucl)
        guard var low = bounds.min(), var high = bounds.max() else {
            return (lines + ["No data points yet."]).joined(separator: "\n")
        }
        if high == low {
            low -= 1
            high += 1
        }
        let padding = (high - low) * 0.05
        low -= padding
        high += padding
        func column(_ value: Double) -> Int {
            min(Self.plotWidth - 1, max(0, Int(((value - low) / (high - low) * Double(Self.plotWidth - 1)).rounded())))
        }
        lines.append("")
        lines.append("period      " + pad("value", 10) + "  " + "low " + String(repeating: "·", count: Self.plotWidth - 9) + " high")
        for (index, point) in result.points.enumerated() {
            var row = Array(repeating: Character(" "), count: Self.plotWidth)
            if let lcl = point.lcl { row[column(lcl)] = "|" }
            if let ucl = point.ucl { row[column(ucl)] = "|" }
            if let centre = point.centre { row[column(centre)] = ":" }
            var marker = ""
            if let value = point.value {
                let isSignal = signalled.contains(index) || point.outside
                row[column(value)] = isSignal ? "◆" : "●"
                if point.outside { marker = " beyond limits" }
            }
            lines.append(point.period + "  " + pad(ValueText.format(point.value, kind: kind), 10) + "  " + String(row) + marker)
        }
        lines.append("")
        let runs = result.runs
        lines += Self.wrap(
            "runs: \(runs.useful) useful points, longest run \(runs.longestRun) (signal above \(runs.longestRunMax)), "
                + "crossings \(runs.crossings) (signal below \(runs.crossingsMin))")
        if result.signals.isEmpty {
            lines.append("No signal: the variation is what this process has shown all along.")
        }
        for signal in result.signals { lines += Self.wrap("◆ " + signal.message, indent: "  ") }
        return lines.joined(separator: "\n")
    }

    /// Breaks text into lines of at most 80 columns at spaces.
    static func wrap(_ text: String, indent: String = "") -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !line.isEmpty, line.count + 1 + word.count > 80 {
                lines.append(line)
                line = indent + word
            } else {
                line += (line.isEmpty ? "" : " ") + word
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    private func limitsSummary() -> String {
        let lower = Set(result.points.compactMap(\.lcl).map { ValueText.format($0, kind: result.kind) })
        let upper = Set(result.points.compactMap(\.ucl).map { ValueText.format($0, kind: result.kind) })
        if lower.isEmpty && upper.isEmpty { return result.kind == .run ? "  (median; a run chart has no limits)" : "" }
        if lower.count <= 1 && upper.count <= 1 {
            return "   LCL \(lower.first ?? "–")   UCL \(upper.first ?? "–")"
        }
        return "   limits vary with the denominator or phase"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}

extension SignalRule {
    /// Whether the rule points at particular points (rather than saying there are too few).
    var marksPoints: Bool {
        switch self {
        case .tooFewPoints, .fewPointsForLimits: false
        default: true
        }
    }
}
