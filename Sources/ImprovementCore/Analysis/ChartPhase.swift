/// A stretch of points with its own centre line and limits.
struct ChartPhase: Sendable, Equatable {
    /// 1-based phase number, for messages.
    let number: Int
    /// Indexes of the points in the phase.
    let points: Range<Int>
    /// Indexes of the points the centre line and limits are computed from: the whole phase,
    /// or the leading baseline points of the first phase.
    let basis: Range<Int>

    /// Splits `pointCount` points into phases.
    ///
    /// A phase start of 0 is allowed and changes nothing; repeated starts are merged. The
    /// baseline applies to the first phase only, because later phases exist precisely to
    /// recompute the limits after a deliberate change; a baseline longer than the first phase
    /// uses the whole phase, so a chart that is still collecting its baseline works unchanged.
    static func split(pointCount: Int, phaseStarts: [Int], baseline: Int?) throws(ChartError) -> [ChartPhase] {
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
            var basis = points
            if index == 0, let baseline {
                basis = points.lowerBound..<min(points.upperBound, points.lowerBound + baseline)
            }
            phases.append(ChartPhase(number: index + 1, points: points, basis: basis))
        }
        return phases
    }
}
