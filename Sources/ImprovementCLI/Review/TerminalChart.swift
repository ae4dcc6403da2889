import ImprovementCore

/// A run chart or control chart drawn as text, one line per period, readable at 80 columns:
/// `:` is the centre line, `|` the control limits, `●` a point, `◆` a point that is part of a
/// signal and `×` a point excluded from the limits. Values are shown as the measure expresses
/// them (per 1,000, %), and the chart ends with the verdict every other view states too.
struct TerminalChart {
    static let plotWidth = 40

    let result: ChartResult
    let title: String
    /// The notes that start phases and exclude points, by point index.
    var phaseNotes: [Int: Annotation] = [:]
    var exclusionNotes: [Int: Annotation] = [:]

    func rendered() -> String {
        let expression = result.expression
        var lines: [String] = Self.wrap(title + (expression.caption.map { " (\($0))" } ?? ""))
        for phase in result.phases {
            let label = result.phases.count > 1 ? "phase \(phase.number) \(phase.from) – \(phase.to): " : ""
            lines.append(label + "centre \(expression.number(phase.centre))" + limitsSummary(phase))
        }
        if result.phases.isEmpty { lines.append("centre –") }
        let signalled = Set(result.signals.flatMap(\.points))
        let bounds = result.points.compactMap(\.value) + result.points.compactMap(\.lcl) + result.points.compactMap(\.ucl)
        guard var low = bounds.min(), var high = bounds.max() else {
            return (lines + ["No data points yet."]).joined(separator: "\n")
        }
        if high == low {
            low -= 1
            high += 1
        }
        let padding = (high - low) * 0.05
        // Counts, rates and proportions never go below zero: neither does their scale.
        low = low >= 0 ? max(0, low - padding) : low - padding
        high += padding
        func column(_ value: Double) -> Int {
            min(Self.plotWidth - 1, max(0, Int(((value - low) / (high - low) * Double(Self.plotWidth - 1)).rounded())))
        }
        let lowText = expression.number(low)
        let highText = expression.number(high)
        lines.append("")
        lines.append(
            "period      " + pad("value", 10) + "  " + lowText + " "
                + String(repeating: "·", count: max(1, Self.plotWidth - lowText.count - highText.count - 2)) + " " + highText)
        for (index, point) in result.points.enumerated() {
            if index > 0, point.phase != result.points[index - 1].phase {
                let label = "── phase \(point.phase)" + (phaseNotes[index].map { ": \($0.text)" } ?? "")
                lines.append(Self.fit(label, 77) + " ──")
            }
            var row = Array(repeating: Character(" "), count: Self.plotWidth)
            if let lcl = point.lcl { row[column(lcl)] = "|" }
            if let ucl = point.ucl { row[column(ucl)] = "|" }
            if let centre = point.centre { row[column(centre)] = ":" }
            var marker = ""
            var reason: String?
            if let value = point.value {
                let symbol: Character = point.excluded ? "×" : (signalled.contains(index) || point.outside) ? "◆" : "●"
                row[column(value)] = symbol
                if point.excluded {
                    marker = " excluded"
                    reason = exclusionNotes[index].map { "excluded: \($0.text)" }
                } else if point.outside {
                    marker = " beyond limits"
                }
            }
            let line = point.period + "  " + pad(expression.number(point.value), 10) + "  " + String(row)
            lines.append(line + Self.fit(marker, 80 - line.count))
            // The reason gets a line of its own, so it is never cut to fit beside the plot.
            if let reason { lines += Self.wrap(String(repeating: " ", count: 12) + reason, indent: String(repeating: " ", count: 14)) }
        }
        lines.append("")
        let runs = result.runs
        let phaseWord = result.phases.count > 1 ? " (phase \(result.phases.count))" : ""
        lines += Self.wrap(
            "runs\(phaseWord): \(runs.useful) useful points, longest run \(runs.longestRun) (signal above "
                + "\(runs.longestRunMax)), crossings \(runs.crossings) (signal below \(runs.crossingsMin))")
        for signal in result.signals {
            let word: String
            switch signal.direction {
            case .improvement: word = "improvement"
            case .concern: word = "concern"
            case .neutral: word = "signal"
            }
            lines += Self.wrap("◆ \(word): " + signal.message, indent: "  ")
        }
        for warning in result.warnings { lines += Self.wrap("! " + warning.message, indent: "  ") }
        lines += Self.wrap("Verdict — " + result.verdict.reason, indent: "  ")
        return lines.joined(separator: "\n")
    }

    /// The text cut to `width` characters, with an ellipsis when it was longer.
    static func fit(_ text: String, _ width: Int) -> String {
        guard text.count > width else { return text }
        return String(text.prefix(max(0, width - 1))) + "…"
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

    private func limitsSummary(_ phase: ChartPhaseSummary) -> String {
        let expression = result.expression
        if result.kind == .run { return "  (median; a run chart has no limits)" }
        if phase.limitsVary { return "   limits vary with the denominator" }
        if phase.lcl == nil && phase.ucl == nil { return "   no limits" }
        return "   LCL \(expression.number(phase.lcl))   UCL \(expression.number(phase.ucl))"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
