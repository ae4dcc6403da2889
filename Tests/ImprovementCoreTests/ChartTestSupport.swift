import ImprovementCore

/// A `YYYY-MM-DD` label for point `index`; the analysis only carries periods through.
func period(_ index: Int) -> String {
    let month = index / 28 + 1
    let day = index % 28 + 1
    return "2026-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
}

/// Points with a plain value each.
func valuePoints(_ values: [Double]) -> [ChartInput] {
    values.enumerated().map { ChartInput(period: period($0.offset), value: $0.element) }
}

/// Points with a numerator and denominator each.
func ratioPoints(_ numerators: [Double], _ denominators: [Double]) -> [ChartInput] {
    zip(numerators, denominators).enumerated().map {
        ChartInput(period: period($0.offset), numerator: $0.element.0, denominator: $0.element.1)
    }
}

/// Whether `actual` exists and is within `tolerance` of `expected`.
func isClose(_ actual: Double?, _ expected: Double, _ tolerance: Double = 1e-9) -> Bool {
    guard let actual else { return false }
    return abs(actual - expected) <= tolerance
}

extension ChartResult {
    /// The rules of all signals, in order.
    var rules: [SignalRule] { signals.map(\.rule) }

    /// The first signal with `rule`, if any.
    func signal(_ rule: SignalRule) -> ChartSignal? { signals.first { $0.rule == rule } }
}
