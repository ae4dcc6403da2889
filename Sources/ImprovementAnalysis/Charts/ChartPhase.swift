import ImprovementModel

/// A stretch of points with its own centre line and limits.
struct ChartPhase: Sendable, Equatable {
    /// 1-based phase number, for messages.
    let number: Int
    /// Indexes of the points in the phase.
    let points: Range<Int>
    /// Indexes of the points the centre line and limits are computed from: the whole phase, or
    /// the leading baseline points of the first phase, without the excluded points.
    let basis: [Int]
    /// The span the basis was taken from (the baseline or the whole phase), excluded points included.
    let basisSpan: Range<Int>

    /// Whether the limits are frozen on leading points and extended over the rest of the phase.
    var isFrozen: Bool { basisSpan.count < points.count }

    /// Splits `pointCount` points into phases.
    ///
    /// A phase start of 0 is allowed and changes nothing; repeated starts are merged. The
    /// baseline applies to the first phase only, because later phases exist precisely to
    /// recompute the limits after a deliberate change; a baseline longer than the first phase
    /// uses the whole phase, so a chart that is still collecting its baseline works unchanged.
    /// Excluded points are left out of every basis (they stay in the phase, plotted).
    static func split(
        pointCount: Int, phaseStarts: [Int], baseline: Int?, excluded: Set<Int> = []
    ) throws(ChartError) -> [ChartPhase] {
        if let baseline, baseline < 1 { throw .invalidBaseline(baseline) }
        for start in phaseStarts where start < 0 || start >= pointCount {
            throw .invalidPhaseStart(index: start, pointCount: pointCount)
        }
        guard pointCount > 0 else { return [] }

        var bounds = Array(Set(phaseStarts + [0])).sorted()
        bounds.append(pointCount)
        var phases: [ChartPhase] = []
        phases.reserveCapacity(bounds.count - 1)
        for index in 0..<(bounds.count - 1) {
            let points = bounds[index]..<bounds[index + 1]
            var span = points
            if index == 0, let baseline {
                span = points.lowerBound..<min(points.upperBound, points.lowerBound + baseline)
            }
            let basis = excluded.isEmpty ? Array(span) : span.filter { !excluded.contains($0) }
            phases.append(ChartPhase(number: index + 1, points: points, basis: basis, basisSpan: span))
        }
        return phases
    }
}
