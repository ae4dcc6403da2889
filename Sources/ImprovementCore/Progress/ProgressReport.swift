/// Where a programme stands: every measure per unit and per site, flags that need attention,
/// and the same measure compared across sites.
public struct ProgressReport: Codable, Sendable, Equatable {
    /// The programme reviewed; nil for every programme.
    public var programme: String?
    /// The date the report describes (today on the device).
    public var asOf: String
    /// One row per measure and unit, and per measure and site.
    public var measures: [MeasureProgress]
    /// What a team should look at first.
    public var flags: [ProgressFlag]
    /// Each measure compared across sites.
    public var peers: [PeerComparison]
}

/// One measure's progress at one unit (or, with `unit` nil, a whole site).
public struct MeasureProgress: Codable, Sendable, Equatable {
    /// What the data say about the change being tested: the chart's own verdict.
    public typealias Verdict = ChartVerdict.Kind

    /// The measure's id.
    public var measure: String
    /// The measure's name.
    public var name: String
    /// Outcome, process or balancing.
    public var type: Measure.Kind
    /// The chart the verdict is read from.
    public var chart: ChartKind
    /// Which way is better.
    public var direction: Measure.Direction
    /// The site of the series.
    public var site: String
    /// The unit of the series; nil for the site's units pooled.
    public var unit: String?
    /// How many data points the series holds.
    public var points: Int
    /// The first phase's centre line (raw, not multiplied); nil when it cannot be computed.
    public var baselineCentre: Double?
    /// The latest phase's centre line (raw); nil when it cannot be computed.
    public var currentCentre: Double?
    /// Improving, deteriorating, no change yet, and so on.
    public var verdict: Verdict
    /// The verdict in plain words, naming the signal it rests on.
    public var reason: String
    /// The period the deciding signal starts at.
    public var since: String?
    /// Unexplained points beyond the limits inside the baseline the verdict is judged against.
    public var baselineSpecialCauses: [String]
    /// How values are shown to people (centres and targets here stay raw).
    public var multiplier: Double
    /// The words after a shown value ("%", "per 1,000 bed days").
    public var expressedAs: String?
    /// The measure's target (raw); nil when it has none.
    public var target: Double?
    /// Whether the current centre line reaches the target in the measure's direction; nil without a target or a centre.
    public var targetMet: Bool?
    /// Periods from the first data point to the current period, inclusive.
    public var expectedPoints: Int
    /// points ÷ expectedPoints.
    public var completeness: Double
    /// The start of the latest period with data (`YYYY-MM-DD`); nil when there is none.
    public var lastPeriod: String?
    /// Days from the start of that period to today; nil when there is no data.
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
    /// Why the team should look.
    public enum Kind: String, Codable, Sendable {
        /// A balancing measure deteriorates while an outcome measure improves: a possible harm.
        case balancingHarm = "balancing-harm"
        /// A measure that stopped being collected.
        case stale
        /// The points a verdict is judged against hold an unexplained special cause.
        case baselineSpecialCause = "baseline-special-cause"
    }

    /// Why the team should look.
    public var kind: Kind
    /// The measure concerned.
    public var measure: String
    /// The site concerned.
    public var site: String
    /// The unit concerned; nil for the whole site.
    public var unit: String?
    /// What to look at, in a sentence.
    public var message: String
}

/// The same measure at every site, best first by the measure's desired direction.
public struct PeerComparison: Codable, Sendable, Equatable {
    /// One site's standing on the measure.
    public struct Site: Codable, Sendable, Equatable {
        /// The site's id.
        public var site: String
        /// The site's latest centre line (raw); nil when it cannot be computed.
        public var currentCentre: Double?
        /// How many data points the site's series holds.
        public var points: Int
        /// The site's verdict.
        public var verdict: MeasureProgress.Verdict
    }

    /// The measure's id.
    public var measure: String
    /// The measure's name.
    public var name: String
    /// Best first; sites with no centre line last.
    public var sites: [Site]
}

extension MeasureProgress {
    /// How this row's values are shown to people.
    public var expression: ValueExpression { ValueExpression(multiplier: multiplier, words: expressedAs) }
}
