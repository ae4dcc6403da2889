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
    /// What the data say about the change being tested: the chart's own verdict.
    public typealias Verdict = ChartVerdict.Kind

    public var measure: String
    public var name: String
    public var type: Measure.Kind
    public var chart: ChartKind
    public var direction: Measure.Direction
    public var site: String
    public var unit: String?
    public var points: Int
    public var baselineCentre: Double?
    public var currentCentre: Double?
    public var verdict: Verdict
    /// The verdict in plain words, naming the signal it rests on.
    public var reason: String
    /// The period the deciding signal starts at.
    public var since: String?
    /// Unexplained points beyond the limits inside the baseline the verdict is judged against.
    public var baselineSpecialCauses: [String]
    /// How values are shown to people (centres and targets here stay raw).
    public var multiplier: Double
    public var expressedAs: String?
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
    /// Making Data Count's variation of the latest point (the chart's `variation`).
    public var variation: PointVariation? = nil
    /// Making Data Count's assurance of the target (the chart's `assurance`).
    public var assurance: TargetAssurance? = nil
}

/// Something a team should look at.
public struct ProgressFlag: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A balancing measure deteriorates while an outcome measure improves: a possible harm.
        case balancingHarm = "balancing-harm"
        /// A measure that stopped being collected.
        case stale
        /// The points a verdict is judged against hold an unexplained special cause.
        case baselineSpecialCause = "baseline-special-cause"
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

extension MeasureProgress {
    /// How this row's values are shown to people.
    public var expression: ValueExpression { ValueExpression(multiplier: multiplier, words: expressedAs) }
}
