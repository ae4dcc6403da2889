import ImprovementModel

/// The rule behind a ``ChartSignal`` or a ``ChartWarning``. Raw values are the snake_case names
/// in the JSON; the last four are warnings, never signals.
public enum SignalRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// One or more points strictly outside the control limits.
    case outsideLimits = "outside_limits"
    /// Anhøj: a run longer than round(log2(n) + 3).
    case longRun = "long_run"
    /// Anhøj: fewer crossings of the centre line than expected by chance.
    case fewCrossings = "few_crossings"
    /// IHI: six or more consecutive points on one side of the centre line.
    case shift
    /// IHI: five or more points all going up or all going down.
    case trend
    /// IHI: fewer runs than the runs table allows.
    case tooFewRuns = "too_few_runs"
    /// IHI: more runs than the runs table allows.
    case tooManyRuns = "too_many_runs"
    /// Fewer than 10 useful points in a phase, so run rules cannot signal there yet.
    case tooFewPoints = "too_few_points"
    /// Control limits computed from fewer than 12 points, so they are provisional.
    case fewPointsForLimits = "few_points_for_limits"
    /// The basis has no variation at all (every value equal), so no limits can be estimated.
    case noVariation = "no_variation"
    /// A point beyond the limits, without a note or an exclusion, inside the points the limits
    /// are computed from: it distorts the lines every later point is judged against.
    case baselineSpecialCause = "baseline_special_cause"

    /// Whether the rule is a warning about the chart rather than a signal in the data.
    public var isWarning: Bool {
        switch self {
        case .tooFewPoints, .fewPointsForLimits, .noVariation, .baselineSpecialCause: true
        default: false
        }
    }
}
