import ImprovementModel

/// The centre line and control limits of one phase, fitted on its basis points.
///
/// Limits are given per point because on P and U charts they depend on each point's
/// denominator; that is also what lets later points be tested against a previous phase's lines
/// extended forward.
struct PhaseModel: Sendable {
    let kind: ChartKind
    /// The centre line; nil when it cannot be computed (no basis points, overflow).
    let centre: Double?
    /// The basis has no variation at all, so limits cannot be estimated (and none are drawn).
    let noVariation: Bool
    /// Limits that are the same for every point (I, MR, C, G, T charts).
    private let fixedLimits: (lower: Double, upper: Double)?
    /// The two-sigma lines of the fixed-limit charts, nil on a side where none exists (below 0):
    /// what Making Data Count's "2 of 3 close to the limits" rule tests against.
    private let fixedNear: (lower: Double?, upper: Double?)?
    /// P and U family: the factor on the binomial or Poisson sigma (1, or Laney's sigma_z).
    private let sigmaFactor: Double?

    private init(
        kind: ChartKind, centre: Double?, noVariation: Bool = false, fixedLimits: (Double, Double)? = nil,
        near: (Double?, Double?)? = nil, sigmaFactor: Double? = nil
    ) {
        self.kind = kind
        self.centre = centre.flatMap { $0.isFinite ? $0 : nil }
        self.noVariation = noVariation
        self.fixedLimits = fixedLimits
        self.fixedNear = near
        self.sigmaFactor = sigmaFactor
    }

    /// Whether the model draws limits at all.
    var hasLimits: Bool { centre != nil && (fixedLimits != nil || sigmaFactor != nil) }

    /// The lower and upper limit at point `index` (nil where a limit does not exist).
    func limits(at index: Int, series: PlottedSeries) -> (lower: Double?, upper: Double?) {
        guard let centre else { return (nil, nil) }
        var lower: Double
        var upper: Double
        if let fixedLimits {
            (lower, upper) = fixedLimits
        } else if let sigmaFactor {
            let spread =
                3 * sigmaFactor * Self.binomialOrPoissonSigma(kind, centre: centre, size: series.denominators[index])
            (lower, upper) = Self.clamped(kind, centre - spread, centre + spread)
        } else {
            return (nil, nil)
        }
        return (lower.isFinite ? lower : nil, upper.isFinite ? upper : nil)
    }

    /// The two-sigma lines at point `index`: nil on a side where the line would fall outside what
    /// the statistic can take (below 0, above 1 for proportions), and without limits.
    func nearLimits(at index: Int, series: PlottedSeries) -> (lower: Double?, upper: Double?) {
        guard let centre else { return (nil, nil) }
        if let fixedNear { return fixedNear }
        guard let sigmaFactor else { return (nil, nil) }
        let spread =
            2 * sigmaFactor * Self.binomialOrPoissonSigma(kind, centre: centre, size: series.denominators[index])
        let lower = centre - spread
        let upper = centre + spread
        return (
            lower > 0 && lower.isFinite ? lower : nil, upper.isFinite && (!kind.isProportion || upper < 1) ? upper : nil
        )
    }

    /// Fits the centre line and limits on the basis points, following qicharts2's formulas
    /// (Montgomery; Provost & Murray; Laney 2002 for the prime charts). `mrBasis` holds the
    /// moving ranges of the basis for MR charts.
    static func fit(kind: ChartKind, series: PlottedSeries, basis: [Int]) -> PhaseModel {
        let values = basis.map { series.values[$0] }
        switch kind {
        case .run:
            return PhaseModel(kind: kind, centre: ChartMath.median(values))

        case .i:
            guard let mean = ChartMath.mean(values) else { return PhaseModel(kind: kind, centre: nil) }
            // Sigma from the screened mean moving range of the basis points; one point has no
            // moving range and so no limits; all-equal points have no variation to estimate.
            guard let movingRange = ChartMath.screenedMeanMovingRange(values) else {
                return PhaseModel(kind: kind, centre: mean)
            }
            guard movingRange > 0 else { return PhaseModel(kind: kind, centre: mean, noVariation: true) }
            let sigma = movingRange / ChartMath.d2
            return PhaseModel(
                kind: kind, centre: mean, fixedLimits: (mean - 3 * sigma, mean + 3 * sigma),
                near: (mean - 2 * sigma, mean + 2 * sigma))

        case .mr:
            // Ranges of consecutive basis points (qicharts2 computes on the included points).
            var ranges: [Double] = []
            for (previous, next) in zip(values, values.dropFirst()) { ranges.append(abs(next - previous)) }
            guard let mean = ChartMath.mean(ranges) else { return PhaseModel(kind: kind, centre: nil) }
            guard mean > 0 else { return PhaseModel(kind: kind, centre: mean, noVariation: true) }
            // Moving ranges cannot be negative, so the lower limit is 0. D4 = 1 + 3·d3/d2; two
            // sigma is 1 + 2·d3/d2.
            let twoSigma = 1 + 2 * (ChartMath.d4 - 1) / 3
            return PhaseModel(
                kind: kind, centre: mean, fixedLimits: (0, ChartMath.d4 * mean), near: (nil, twoSigma * mean))

        case .c:
            guard let mean = ChartMath.mean(values) else { return PhaseModel(kind: kind, centre: nil) }
            let sigma = mean.squareRoot()
            return PhaseModel(
                kind: kind, centre: mean, fixedLimits: (max(0, mean - 3 * sigma), mean + 3 * sigma),
                near: (mean - 2 * sigma > 0 ? mean - 2 * sigma : nil, mean + 2 * sigma))

        case .p, .u:
            guard let centre = pooledRatio(series, over: basis) else { return PhaseModel(kind: kind, centre: nil) }
            return PhaseModel(kind: kind, centre: centre, sigmaFactor: 1)

        case .pp, .up:
            guard let centre = pooledRatio(series, over: basis) else { return PhaseModel(kind: kind, centre: nil) }
            guard basis.count >= 2 else { return PhaseModel(kind: kind, centre: centre) }
            // With p̄ of 0 or 1 (or ū of 0) the z-scores do not exist, and with identical z-scores
            // their moving range is 0: Laney's factor cannot be estimated, so qicharts2 draws no
            // limits. Neither do we, and the chart says why.
            let zeroSigma = kind.isProportion ? centre * (1 - centre) <= 0 : centre <= 0
            guard !zeroSigma, let laney = laneyFactor(kind, centre: centre, series: series, basis: basis), laney > 0
            else {
                return PhaseModel(kind: kind, centre: centre, noVariation: true)
            }
            return PhaseModel(kind: kind, centre: centre, sigmaFactor: laney)

        case .g:
            // qicharts2: limits from the mean of the geometric distribution (Montgomery), but the
            // centre line is the median because g data are very skewed and the run rules need a
            // line with half the points on each side.
            guard let mean = ChartMath.mean(values) else { return PhaseModel(kind: kind, centre: nil) }
            let sigma = (mean * (mean + 1)).squareRoot()
            // mean − 3√(mean(mean + 1)) is always negative, so the lower limit is 0.
            return PhaseModel(
                kind: kind, centre: ChartMath.median(values), fixedLimits: (0, mean + 3 * sigma),
                near: (nil, mean + 2 * sigma))

        case .t:
            // qicharts2 `qic.t` (Montgomery 7.28): times between events are roughly exponential, and
            // y^(1/3.6) roughly normal; an I chart on the transformed times, its lines raised back to
            // the power 3.6. A transformed lower line below 0 has no power, so the limit is 0.
            let transformed = values.map { ($0 > 0 ? $0 : 0).power(1 / ChartMath.tPower) }
            guard let mean = ChartMath.mean(transformed) else { return PhaseModel(kind: kind, centre: nil) }
            let centre = mean.power(ChartMath.tPower)
            guard let movingRange = ChartMath.screenedMeanMovingRange(transformed) else {
                return PhaseModel(kind: kind, centre: centre)
            }
            guard movingRange > 0 else { return PhaseModel(kind: kind, centre: centre, noVariation: true) }
            let sigma = movingRange / ChartMath.d2
            func back(_ line: Double) -> Double? { line > 0 ? line.power(ChartMath.tPower) : nil }
            return PhaseModel(
                kind: kind, centre: centre,
                fixedLimits: (back(mean - 3 * sigma) ?? 0, back(mean + 3 * sigma) ?? 0),
                near: (back(mean - 2 * sigma), back(mean + 2 * sigma)))
        }
    }

    /// Σ numerators ÷ Σ denominators over the basis: p̄ or ū, weighting periods by size.
    private static func pooledRatio(_ series: PlottedSeries, over basis: [Int]) -> Double? {
        var numerator = 0.0
        var denominator = 0.0
        for index in basis {
            numerator += series.numerators[index]
            denominator += series.denominators[index]
        }
        return denominator > 0 ? numerator / denominator : nil
    }

    /// √(p̄(1 − p̄)/nᵢ) for proportions, √(ū/nᵢ) for rates.
    private static func binomialOrPoissonSigma(_ kind: ChartKind, centre: Double, size: Double) -> Double {
        kind.isProportion ? (centre * (1 - centre) / size).squareRoot() : (centre / size).squareRoot()
    }

    /// Proportions are bounded by 0 and 1, rates only by 0.
    private static func clamped(_ kind: ChartKind, _ lower: Double, _ upper: Double) -> (Double, Double) {
        (max(0, lower), kind.isProportion ? min(1, upper) : upper)
    }

    /// Laney's sigma_z: the screened mean moving range of the basis points' z-scores ÷ d2.
    private static func laneyFactor(_ kind: ChartKind, centre: Double, series: PlottedSeries, basis: [Int]) -> Double? {
        let zScores = basis.lazy.map { index in
            (series.values[index] - centre)
                / binomialOrPoissonSigma(kind, centre: centre, size: series.denominators[index])
        }
        // qicharts2 ≥ 0.7.4 screens these moving ranges too ("Screen mr during prime
        // adjustment for pp and up charts"), with the same 3.267 cut-off as the I chart.
        guard let movingRange = ChartMath.screenedMeanMovingRange(zScores) else { return nil }
        return movingRange / ChartMath.d2
    }
}
