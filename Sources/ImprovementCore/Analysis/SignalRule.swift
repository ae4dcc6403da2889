/// The rule behind a ``ChartSignal``. Raw values are the snake_case names in the JSON.
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
}
