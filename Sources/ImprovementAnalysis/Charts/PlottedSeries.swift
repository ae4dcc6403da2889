import ImprovementModel

/// The validated input of one chart: the statistic to plot per point and, for P and U
/// family charts, the numerators and denominators behind it.
struct PlottedSeries: Sendable {
    /// The plotted statistic per point, before any moving-range transform.
    let values: [Double]
    /// Numerators per point; empty unless the kind needs numerator and denominator.
    let numerators: [Double]
    /// Denominators per point; empty unless the kind needs numerator and denominator.
    let denominators: [Double]

    /// Validates every point for `kind` and computes the plotted statistic.
    ///
    /// Run, I and MR charts plot numerator ÷ denominator when both are given and `value`
    /// otherwise, so a proportion can be charted as an individuals series without the caller
    /// converting it first. C, G and T charts need `value`; P and U family charts need both
    /// numerator and denominator (and ignore `value`).
    init(kind: ChartKind, points: [ChartInput]) throws(ChartError) {
        var values: [Double] = []
        var numerators: [Double] = []
        var denominators: [Double] = []
        values.reserveCapacity(points.count)
        if kind.needsNumeratorAndDenominator {
            numerators.reserveCapacity(points.count)
            denominators.reserveCapacity(points.count)
        }

        for point in points {
            let period = point.period
            // Checked one by one: an array of the three would allocate for every point.
            guard Self.isFiniteOrAbsent(point.value),
                Self.isFiniteOrAbsent(point.numerator),
                Self.isFiniteOrAbsent(point.denominator)
            else { throw .notFinite(period: period) }
            switch kind {
            case .p, .pp, .u, .up:
                guard let numerator = point.numerator else {
                    throw .missingNumerator(period: period, kind: kind)
                }
                guard let denominator = point.denominator else {
                    throw .missingDenominator(period: period, kind: kind)
                }
                guard denominator > 0 else {
                    throw .nonPositiveDenominator(period: period, denominator: denominator, kind: kind)
                }
                guard numerator >= 0 else { throw .negativeCount(period: period, kind: kind) }
                if kind.isProportion, numerator > denominator {
                    throw .numeratorAboveDenominator(period: period, kind: kind)
                }
                numerators.append(numerator)
                denominators.append(denominator)
                values.append(numerator / denominator)
            case .run, .i, .mr:
                switch (point.numerator, point.denominator, point.value) {
                case (let numerator?, let denominator?, _):
                    guard denominator > 0 else {
                        throw .nonPositiveDenominator(period: period, denominator: denominator, kind: kind)
                    }
                    values.append(numerator / denominator)
                case (_, _, let value?):
                    values.append(value)
                case (.some, nil, nil):
                    throw .missingDenominator(period: period, kind: kind)
                case (nil, .some, nil):
                    throw .missingNumerator(period: period, kind: kind)
                case (nil, nil, nil):
                    throw .missingValue(period: period, kind: kind)
                }
            case .c, .g:
                guard let value = point.value else { throw .missingValue(period: period, kind: kind) }
                guard value >= 0 else { throw .negativeCount(period: period, kind: kind) }
                values.append(value)
            case .t:
                guard let value = point.value else { throw .missingValue(period: period, kind: kind) }
                // qicharts2 refuses times of zero or less: the power transform needs them positive.
                guard value > 0 else { throw .nonPositiveTime(period: period) }
                values.append(value)
            }
        }
        // A finite numerator over a tiny positive denominator can still overflow.
        if let overflow = values.firstIndex(where: { !$0.isFinite }) {
            throw .notFinite(period: points[overflow].period)
        }
        self.values = values
        self.numerators = numerators
        self.denominators = denominators
    }

    private static func isFiniteOrAbsent(_ number: Double?) -> Bool {
        number?.isFinite ?? true
    }
}
