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

/// A signal or a warning, as the tests look at them.
struct Found: Equatable {
    let rule: SignalRule
    let message: String
    let points: [Int]
}

extension ChartResult {
    /// The rules of all signals, then of all warnings, in order.
    var rules: [SignalRule] { signals.map(\.rule) + warnings.map(\.rule) }

    /// Every point of the outside-limits signals against the points' own phase, in order.
    var outsidePoints: [Int] {
        signals.filter { $0.rule == .outsideLimits && $0.against == .phase }.flatMap(\.points).sorted()
    }

    /// The first signal or warning with `rule`, if any.
    func signal(_ rule: SignalRule) -> Found? {
        if let signal = signals.first(where: { $0.rule == rule }) {
            return Found(rule: rule, message: signal.message, points: signal.points)
        }
        return warnings.first { $0.rule == rule }.map { Found(rule: rule, message: $0.message, points: $0.points) }
    }
}
