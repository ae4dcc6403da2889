import ImprovementModel

/// NHS England's Making Data Count (MDC) reading of a chart: the variation of every point and the
/// assurance of the target, following the rules as the NHS-R `NHSRplotthedots` package applies them.
///
/// Control charts, within each phase against that phase's own lines (MDC rebases; the test of a
/// change against the previous phase's lines stays the verdict's job):
/// - a point beyond a process limit;
/// - a trend: 7 points in a row each strictly higher (or lower) than the one before; a repeated
///   value ends the trend; all 7 points are flagged, and a point that ends one trend and starts
///   another takes the later one's direction;
/// - two of three points in a row beyond the two-sigma line (and inside the limits), all three on
///   the same side of the centre line; the points beyond the two-sigma line are flagged;
/// - a run: 7 points in a row on one side of the centre line; a point on the line ends the run;
///   every point of the run is flagged.
/// A point flagged by several rules takes its side from the first of that list. The side says
/// improvement or concern against the measure's direction; neutral without a direction and on
/// moving-range charts. Excluded points and points without a value take no part and get no
/// variation; the points either side of them count as neighbours.
///
/// Run charts have no limits, so their points follow the run-rule signals of their own phase
/// (Anhøj by default, IHI on request): a point inside a signal takes its direction.
enum MakingDataCount {
    /// Points in a row for a run or a trend (NHSRplotthedots' default).
    static let runLength = 7

    /// The lines one point is judged against.
    struct Lines {
        var value: Double?
        var centre: Double?
        var lower: Double?
        var upper: Double?
        var nearLower: Double?
        var nearUpper: Double?
    }

    /// The variation of every point of a control chart, phase by phase.
    static func variations(
        lines: [Lines], phases: [Range<Int>], excluded: Set<Int>, kind: ChartKind, better: Measure.Direction?
    ) -> [PointVariation?] {
        var result: [PointVariation?] = Array(repeating: nil, count: lines.count)
        for phase in phases {
            let judged = phase.filter { !excluded.contains($0) && lines[$0].value != nil && lines[$0].centre != nil }
            let sides = sides(of: judged.map { lines[$0] })
            for (position, index) in judged.enumerated() {
                result[index] = variation(side: sides[position], kind: kind, better: better)
            }
        }
        return result
    }

    /// Per point of one phase (in time order): +1 or -1 for the side of a special cause, 0 for
    /// common cause.
    static func sides(of points: [Lines]) -> [Int] {
        let count = points.count
        let values = points.map { $0.value ?? 0 }
        let relative = points.map { point -> Int in
            guard let value = point.value, let centre = point.centre, value != centre else { return 0 }
            return value > centre ? 1 : -1
        }
        let outside = points.map { point -> Bool in
            guard let value = point.value else { return false }
            return (point.upper.map { value > $0 } ?? false) || (point.lower.map { value < $0 } ?? false)
        }
        let close = points.indices.map { position -> Bool in
            guard !outside[position], let value = points[position].value else { return false }
            return (points[position].nearUpper.map { value > $0 } ?? false)
                || (points[position].nearLower.map { value < $0 } ?? false)
        }

        var trend = Array(repeating: 0, count: count)
        var twoOfThree = Array(repeating: 0, count: count)
        var run = Array(repeating: 0, count: count)
        if count >= runLength {
            for end in (runLength - 1)..<count {
                let window = (end - runLength + 1)...end
                let steps = window.dropFirst().map { values[$0] - values[$0 - 1] }
                if steps.allSatisfy({ $0 > 0 }) {
                    for position in window { trend[position] = 1 }
                } else if steps.allSatisfy({ $0 < 0 }) {
                    for position in window { trend[position] = -1 }
                }
                let side = relative[end]
                if side != 0, window.allSatisfy({ relative[$0] == side }) {
                    for position in window { run[position] = side }
                }
            }
        }
        if count >= 3 {
            for start in 0...(count - 3) {
                let window = start...(start + 2)
                let side = relative[start]
                guard side != 0, window.allSatisfy({ relative[$0] == side }),
                    window.filter({ close[$0] }).count >= 2
                else { continue }
                for position in window where close[position] { twoOfThree[position] = side }
            }
        }
        return (0..<count).map { position in
            if outside[position] { return relative[position] }
            if trend[position] != 0 { return trend[position] }
            if twoOfThree[position] != 0 { return twoOfThree[position] }
            return run[position]
        }
    }

    /// A special cause's side read against the measure's direction.
    static func variation(side: Int, kind: ChartKind, better: Measure.Direction?) -> PointVariation {
        guard side != 0 else { return .commonCause }
        guard let better, kind != .mr else { return .neutral }
        return (side > 0) == (better == .up) ? .improvement : .concern
    }

    /// The variation of every point of a run chart: the direction of the own-phase signal it is part of.
    static func variations(
        signals: [ChartSignal], pointCount: Int, excluded: Set<Int>, values: [Double?]
    )
        -> [PointVariation?]
    {
        var result: [PointVariation?] = (0..<pointCount).map {
            excluded.contains($0) || values[$0] == nil ? nil : .commonCause
        }
        for signal in signals where signal.against == .phase {
            let found: PointVariation =
                switch signal.direction {
                case .improvement: .improvement
                case .concern: .concern
                case .neutral: .neutral
                }
            for index in signal.points where result.indices.contains(index) {
                // A direction, once found, is not overwritten by a rule without one.
                if result[index] == .commonCause || (result[index] == .neutral && found != .neutral) {
                    result[index] = found
                }
            }
        }
        return result
    }

    /// Where the target lies against the process limits of the latest point that has limits: beyond
    /// the limit on the better side, the process fails it consistently; beyond the worse side, it
    /// meets it consistently; in between (or on a limit), hit and miss. Nil without a target, a
    /// direction or limits.
    static func assurance(target: Double?, better: Measure.Direction?, points: [Lines]) -> TargetAssurance? {
        guard let target, let better,
            let latest = points.last(where: { $0.lower != nil || $0.upper != nil })
        else { return nil }
        if let upper = latest.upper, target > upper { return better == .up ? .consistentlyFails : .consistentlyMeets }
        if let lower = latest.lower, target < lower { return better == .up ? .consistentlyMeets : .consistentlyFails }
        return .hitAndMiss
    }
}
