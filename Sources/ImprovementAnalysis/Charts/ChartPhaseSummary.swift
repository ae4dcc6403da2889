import ImprovementModel

/// One phase of a chart as the JSON describes it: its span, its lines, its runs, and how it
/// compares with the phase before it.
public struct ChartPhaseSummary: Sendable, Hashable, Codable {
    /// How a phase's points fall against the previous phase's lines, extended forward.
    public struct Comparison: Sendable, Hashable, Codable {
        /// The previous phase's centre line.
        public let centre: Double?
        /// Runs of both phases' points around that line.
        public let runs: RunsSummary
        /// Points of this phase beyond the previous phase's limits.
        public let outside: [Int]
        /// Whether the change shifted the process (a run, crossings or outside point signal).
        public let signal: Bool
    }

    /// 1-based phase number.
    public let number: Int
    /// The first and last period of the phase.
    public let from: String
    /// The last period of the phase.
    public let to: String
    /// Indexes of the first and last point of the phase.
    public let start: Int
    /// The index of the last point of the phase.
    public let end: Int
    /// Indexes of the points the centre line and limits rest on (a frozen baseline, or the
    /// whole phase, without excluded points).
    public let basis: [Int]
    /// Points of the phase left out of its lines by an exclusion.
    public let excluded: [Int]
    /// The phase's centre line; nil when it cannot be computed.
    public let centre: Double?
    /// The phase's limits when they are the same for every point; nil when they vary with the
    /// denominator (see each point's `lcl` and `ucl`) or do not exist.
    public let lcl: Double?
    /// The upper limit, on the same terms as `lcl`.
    public let ucl: Double?
    /// Whether the limits differ from point to point (P and U charts with varying denominators).
    public let limitsVary: Bool
    /// Runs of the phase's points around its own centre line: its stability.
    public let runs: RunsSummary
    /// Points of the phase beyond its own limits.
    public let outside: [Int]
    /// The test of this phase against the previous phase's lines; nil for the first phase.
    public let comparedWithPrevious: Comparison?
}
