import ImprovementModel

/// What a chart says about a measure, in one word and one sentence: the single verdict that
/// `chart`, `progress`, `quality` and `report` all state.
///
/// - With phases, the latest phase is judged against the previous phase's lines extended
///   forward (did the change shift the process?), then against its own lines.
/// - Without phases, the whole series is judged against its own lines (a frozen baseline when
///   one is given).
/// The latest directional signal decides: improving when its points moved the way the measure
/// wants, deteriorating when they moved the other way. A signal is not trusted while the points
/// its lines rest on hold an unexplained special cause (a point beyond the limits with no note
/// and no exclusion): the verdict is then `unstable-baseline` until someone explains or
/// excludes that point.
public struct ChartVerdict: Sendable, Hashable, Codable {
    /// The verdict's name, as reports and JSON give it.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The latest signal moved the process the way the measure wants.
        case improving
        /// The latest signal moved the process against the way the measure wants.
        case deteriorating
        /// No signal: the variation is what the process has shown all along.
        case noSignal = "no-signal"
        /// Too few points for the run rules, and no point beyond the limits.
        case tooFewPoints = "too-few-points"
        /// Non-random variation without a direction (too few crossings, too many runs, a moving range).
        case unclear
        /// A signal that rests on lines distorted by an unexplained special cause in their basis.
        case unstableBaseline = "unstable-baseline"
    }

    /// The verdict.
    public let verdict: Kind
    /// The reason in plain words, e.g. "improving: 8 points below the median of phase 1 since 2026-09-21".
    public let reason: String
    /// The period the deciding signal starts at, if any.
    public let since: String?
    /// The index (into the chart's `signals`) of the deciding signal, if any.
    public let signal: Int?
    /// Unexplained points beyond the limits inside the basis the verdict is judged against.
    public let baselineSpecialCauses: [Int]
}
