import ImprovementModel

/// The runs analysis of the last phase of a chart: the numbers behind the run rules.
///
/// Points exactly on the centre line neither break nor count towards runs and are left out
/// of `useful`. With no useful points every number is 0.
public struct RunsSummary: Sendable, Hashable, Codable {
    /// Number of points not on the centre line (n in the run rules).
    public let useful: Int
    /// Length of the longest run of consecutive useful points on one side.
    public let longestRun: Int
    /// The longest run expected by chance. Anhøj: round(log2(n) + 3). IHI: 5, since six in a
    /// row is a shift.
    public let longestRunMax: Int
    /// How many times consecutive useful points change side (runs − 1).
    public let crossings: Int
    /// The fewest crossings expected by chance. Anhøj: the 5th percentile of
    /// Binomial(n − 1, 0.5). IHI: the lower limit of the runs table minus one.
    public let crossingsMin: Int
    /// Whether the chosen run rules found non-random variation in the last phase. Always
    /// `false` with fewer than 10 useful points and on MR charts.
    public let signal: Bool
}
