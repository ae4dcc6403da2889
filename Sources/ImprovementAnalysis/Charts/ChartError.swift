import ImprovementModel

/// Why a chart could not be analysed. Every case names the offending point or option, and
/// ``description`` explains the problem in plain words for the person who entered the data.
public enum ChartError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The point has nothing to plot.
    case missingValue(period: String, kind: ChartKind)
    /// The point has a denominator but no numerator.
    case missingNumerator(period: String, kind: ChartKind)
    /// The point has a numerator but no denominator.
    case missingDenominator(period: String, kind: ChartKind)
    /// The denominator is zero or negative, so the ratio does not exist.
    case nonPositiveDenominator(period: String, denominator: Double, kind: ChartKind)
    /// A count (C and G values, P and U numerators) is below zero.
    case negativeCount(period: String, kind: ChartKind)
    /// A proportion would exceed 1 because the numerator is above the denominator.
    case numeratorAboveDenominator(period: String, kind: ChartKind)
    /// A T chart time between events is zero or negative: the power transform needs it above zero.
    case nonPositiveTime(period: String)
    /// A number is NaN or infinite.
    case notFinite(period: String)
    /// The baseline asks for fewer than one point.
    case invalidBaseline(Int)
    /// A phase start is not the index of a point in the chart.
    case invalidPhaseStart(index: Int, pointCount: Int)

    /// A plain-words explanation of the problem.
    public var description: String {
        switch self {
        case .missingValue(let period, let kind):
            "Point \(period) has no value: \(kind.phrase) needs \(Self.needs(kind)) for every point"
        case .missingNumerator(let period, let kind):
            "Point \(period) has no numerator: \(kind.phrase) needs \(Self.needs(kind)) for every point"
        case .missingDenominator(let period, let kind):
            "Point \(period) has no denominator: \(kind.phrase) needs \(Self.needs(kind)) for every point"
        case .nonPositiveDenominator(let period, let denominator, let kind):
            "Point \(period) has a denominator of \(Self.format(denominator)): "
                + "\(kind.phrase) divides by the denominator, so it must be above zero"
        case .negativeCount(let period, let kind):
            "Point \(period) has a negative count: \(kind.phrase) counts events, which cannot be below zero"
        case .numeratorAboveDenominator(let period, let kind):
            "Point \(period) has a numerator above its denominator: "
                + "\(kind.phrase) plots a proportion, which cannot be more than 1"
        case .nonPositiveTime(let period):
            "Point \(period) has a time between events of zero or less: a t chart needs the days since the "
                + "previous event, above zero (two events on one day: give a fraction such as 0.5)"
        case .notFinite(let period):
            "Point \(period) holds a number that is not finite (NaN or infinity)"
        case .invalidBaseline(let count):
            "A baseline of \(count) points is not possible: give at least 1 point, or no baseline"
        case .invalidPhaseStart(let index, let pointCount):
            pointCount == 0
                ? "A phase cannot start at point \(index): the chart has no points"
                : "A phase cannot start at point \(index): the chart has \(pointCount) points, "
                    + "numbered 0 to \(pointCount - 1)"
        }
    }

    private static func needs(_ kind: ChartKind) -> String {
        switch kind {
        case .p, .pp, .u, .up: "numerator and denominator"
        case .run, .i, .mr: "a value, or a numerator and a denominator,"
        case .c, .g, .t: "a value"
        }
    }

    /// Whole numbers print without a trailing ".0" because people type denominators as counts.
    private static func format(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 1e15 {
            return String(Int(number))
        }
        return String(number)
    }
}
