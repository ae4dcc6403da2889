/// Where a programme stands: every measure per unit and per site, flags that need attention,
/// and the same measure compared across sites.
public struct ProgressReport: Codable, Sendable, Equatable {
    public var programme: String?
    /// The date the report describes (today on the device).
    public var asOf: String
    public var measures: [MeasureProgress]
    public var flags: [ProgressFlag]
    public var peers: [PeerComparison]
}

/// One measure's progress at one unit (or, with `unit` nil, a whole site).
public struct MeasureProgress: Codable, Sendable, Equatable {
    /// What the data say about the change being tested.
    public enum Verdict: String, Codable, Sendable {
        /// A signal (run rule or point beyond the limits) in the desired direction.
        case improving
        /// A signal against the desired direction.
        case deteriorating
        /// No signal: the variation is what the process has always shown.
        case noSignal = "no-signal"
        /// Too few points for the run rules (fewer than 10 on each side of the centre).
        case tooFewPoints = "too-few-points"
    }

    public var measure: String
    public var name: String
    public var type: String
    public var chart: String
    public var direction: String
    public var site: String
    public var unit: String?
    public var points: Int
    public var baselineCentre: Double?
    public var currentCentre: Double?
    public var verdict: Verdict
    public var target: Double?
    public var targetMet: Bool?
    /// Periods from the first data point to the current period, inclusive.
    public var expectedPoints: Int
    /// points ÷ expectedPoints.
    public var completeness: Double
    public var lastPeriod: String?
    public var daysSinceLastData: Int?
    /// No data for the last two completed periods.
    public var stale: Bool
}

/// Something a team should look at.
public struct ProgressFlag: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A balancing measure deteriorates while an outcome measure improves: a possible harm.
        case balancingHarm = "balancing-harm"
        /// A measure that stopped being collected.
        case stale
    }

    public var kind: Kind
    public var measure: String
    public var site: String
    public var unit: String?
    public var message: String
}

/// The same measure at every site, best first by the measure's desired direction.
public struct PeerComparison: Codable, Sendable, Equatable {
    public struct Site: Codable, Sendable, Equatable {
        public var site: String
        public var currentCentre: Double?
        public var points: Int
        public var verdict: MeasureProgress.Verdict
    }

    public var measure: String
    public var name: String
    public var sites: [Site]
}
