/// The plotted values, centre line and limits of a chart, filled in phase by phase.
struct ChartLines: Sendable {
    /// The plotted statistic per point; MR charts replace it with moving ranges.
    var values: [Double?]
    var centre: [Double?]
    var lcl: [Double?]
    var ucl: [Double?]
    /// The centre line of each phase, in phase order.
    var phaseCentres: [Double?] = []

    init(values: [Double]) {
        self.values = values.map { $0 }
        centre = Array(repeating: nil, count: values.count)
        lcl = Array(repeating: nil, count: values.count)
        ucl = Array(repeating: nil, count: values.count)
    }

    /// Whether point `index` is strictly above its upper or strictly below its lower limit.
    func isOutside(_ index: Int) -> Bool {
        guard let value = values[index] else { return false }
        if let upper = ucl[index], value > upper { return true }
        if let lower = lcl[index], value < lower { return true }
        return false
    }

    /// Computes centre and limits for one phase, following qicharts2's formulas
    /// (Montgomery; Provost & Murray; Laney 2002 for the prime charts).
    mutating func fill(_ phase: ChartPhase, kind: ChartKind, series: PlottedSeries) {
        let basis = series.values[phase.basis]
        switch kind {
        case .run:
            setCentre(ChartMath.median(basis), over: phase)

        case .i:
            let mean = ChartMath.mean(basis)
            setCentre(mean, over: phase)
            // Sigma from the screened mean moving range of the basis points; with a single
            // basis point there is no moving range and so no limits.
            if let mean, let movingRange = ChartMath.screenedMeanMovingRange(basis) {
                let spread = 3 * movingRange / ChartMath.d2
                setLimits(over: phase) { _ in (mean - spread, mean + spread) }
            }

        case .mr:
            // The first point of each phase has no predecessor in the phase, so no range:
            // a new phase marks a deliberate change that the first range would straddle.
            let first = phase.points.lowerBound
            values[first] = nil
            for index in phase.points.dropFirst() {
                values[index] = abs(series.values[index] - series.values[index - 1])
            }
            var sum = 0.0
            for index in phase.basis.dropFirst() { sum += abs(series.values[index] - series.values[index - 1]) }
            let ranges = phase.basis.count - 1
            let mean: Double? = ranges > 0 ? sum / Double(ranges) : nil
            setCentre(mean, over: phase)
            if let mean {
                // Moving ranges cannot be negative, so the lower limit is 0.
                setLimits(over: phase) { _ in (0, ChartMath.d4 * mean) }
            }

        case .c:
            let mean = ChartMath.mean(basis)
            setCentre(mean, over: phase)
            guard let mean else { return }
            let spread = 3 * mean.squareRoot()
            setLimits(over: phase) { _ in (max(0, mean - spread), mean + spread) }

        case .p, .u:
            let centre = pooledRatio(series, over: phase.basis)
            setCentre(centre, over: phase)
            setLimits(over: phase) { index in
                let spread = 3 * Self.binomialOrPoissonSigma(kind, centre: centre, size: series.denominators[index])
                return Self.clamped(kind, centre - spread, centre + spread)
            }

        case .pp, .up:
            let centre = pooledRatio(series, over: phase.basis)
            setCentre(centre, over: phase)
            guard let laney = Self.laneyFactor(kind, centre: centre, series: series, basis: phase.basis) else { return }
            setLimits(over: phase) { index in
                let sigma = Self.binomialOrPoissonSigma(kind, centre: centre, size: series.denominators[index])
                let spread = 3 * sigma * laney
                return Self.clamped(kind, centre - spread, centre + spread)
            }

        case .g:
            // qicharts2: limits from the mean of the geometric distribution (Montgomery),
            // but the centre line is the median because g data are very skewed and the run
            // rules need a line with half the points on each side.
            setCentre(ChartMath.median(basis), over: phase)
            guard let mean = ChartMath.mean(basis) else { return }
            let upper = mean + 3 * (mean * (mean + 1)).squareRoot()
            // mean − 3√(mean(mean + 1)) is always negative, so the lower limit is 0.
            setLimits(over: phase) { _ in (0, upper) }
        }
    }

    /// Sets the phase's centre line. A line that overflowed (sums of extreme inputs) is
    /// treated as not computable rather than written out as infinity.
    private mutating func setCentre(_ value: Double?, over phase: ChartPhase) {
        let line = value.flatMap { $0.isFinite ? $0 : nil }
        phaseCentres.append(line)
        for index in phase.points { centre[index] = line }
    }

    /// Sets limits for every point of the phase that has a value: a point without a value
    /// (the first of an MR phase) has nothing to compare with limits. Non-finite limits
    /// (overflow, or NaN from an infinite centre) become `nil`.
    private mutating func setLimits(over phase: ChartPhase, _ limits: (Int) -> (Double, Double)) {
        for index in phase.points where values[index] != nil {
            let (lower, upper) = limits(index)
            lcl[index] = lower.isFinite ? lower : nil
            ucl[index] = upper.isFinite ? upper : nil
        }
    }

    /// Σ numerators ÷ Σ denominators over the basis: p̄ or ū, weighting periods by size.
    private func pooledRatio(_ series: PlottedSeries, over basis: Range<Int>) -> Double {
        var numerator = 0.0
        var denominator = 0.0
        for index in basis {
            numerator += series.numerators[index]
            denominator += series.denominators[index]
        }
        return numerator / denominator
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
    ///
    /// Returns 1 when the plain sigma is zero (p̄ of 0 or 1, ū of 0): z-scores do not exist
    /// then, and any factor leaves the limits on the centre line, as on a plain P or U chart.
    /// Returns `nil` with fewer than two basis points, as there is no moving range.
    private static func laneyFactor(_ kind: ChartKind, centre: Double, series: PlottedSeries, basis: Range<Int>) -> Double? {
        guard basis.count >= 2 else { return nil }
        let zeroSigma = kind.isProportion ? centre * (1 - centre) <= 0 : centre <= 0
        if zeroSigma { return 1 }
        let zScores = basis.lazy.map { index in
            (series.values[index] - centre) / binomialOrPoissonSigma(kind, centre: centre, size: series.denominators[index])
        }
        // qicharts2 ≥ 0.7.4 screens these moving ranges too ("Screen mr during prime
        // adjustment for pp and up charts"), with the same 3.267 cut-off as the I chart.
        guard let movingRange = ChartMath.screenedMeanMovingRange(zScores) else { return nil }
        return movingRange / ChartMath.d2
    }
}
