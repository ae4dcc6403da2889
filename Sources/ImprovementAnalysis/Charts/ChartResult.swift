import ImprovementModel

/// The analysed chart, ready to draw and to store as JSON.
///
/// Values, centre lines and limits are raw (proportions as fractions, rates per one unit of
/// denominator); `multiplier` and `expressedAs` say how people read them. Missing numbers are
/// written as `null`. `centre` and `runs` describe the last phase and are kept for scripts
/// written before `phases` existed.
public struct ChartResult: Sendable, Hashable, Codable {
    /// The measure's name or id, as passed in by the caller.
    public let measure: String
    /// The chart kind; encodes as its raw value.
    public let kind: ChartKind
    /// What values are multiplied by when shown (1,000 for "per 1,000 bed days", 100 for %).
    public let multiplier: Double
    /// The unit words shown after a value ("%", "per 1,000 bed days"); nil for plain values.
    public let expressedAs: String?
    /// Which way is better for the measure (`up` or `down`); nil when not known.
    public let better: Measure.Direction?
    /// The centre line of the last phase (the frozen baseline centre when the last phase
    /// is the first and has a baseline); `nil` for an empty chart.
    public let centre: Double?
    /// One entry per input point, in the same order.
    public let points: [ChartPoint]
    /// The runs analysis of the last phase against its own centre line.
    public let runs: RunsSummary
    /// Every phase: its span, lines, runs, and its test against the phase before it.
    public let phases: [ChartPhaseSummary]
    /// The signals found, in every phase; never a warning.
    public let signals: [ChartSignal]
    /// How far to trust the chart: too few points, provisional limits, no variation, a special
    /// cause inside the limits' basis.
    public let warnings: [ChartWarning]
    /// The one verdict every view states.
    public let verdict: ChartVerdict
    /// Making Data Count's variation of the latest point that has one; nil without points.
    public let variation: PointVariation?
    /// Making Data Count's assurance: where the target lies against the latest process limits;
    /// nil without a target, a direction or limits (run charts).
    public let assurance: TargetAssurance?

    /// How this chart's values are shown to people.
    public var expression: ValueExpression { ValueExpression(multiplier: multiplier, words: expressedAs) }

    private enum CodingKeys: String, CodingKey {
        case measure, kind, multiplier, expressedAs, better, centre, points, runs, phases, signals, warnings, verdict
        case variation, assurance
    }

    init(
        measure: String, kind: ChartKind, expression: ValueExpression, better: Measure.Direction?, centre: Double?,
        points: [ChartPoint], runs: RunsSummary, phases: [ChartPhaseSummary], signals: [ChartSignal],
        warnings: [ChartWarning], verdict: ChartVerdict, assurance: TargetAssurance? = nil
    ) {
        self.measure = measure
        self.kind = kind
        self.multiplier = expression.multiplier
        self.expressedAs = expression.words
        self.better = better
        self.centre = centre
        self.points = points
        self.runs = runs
        self.phases = phases
        self.signals = signals
        self.warnings = warnings
        self.verdict = verdict
        self.variation = points.last(where: { $0.variation != nil })?.variation
        self.assurance = assurance
    }

    /// Encodes every key, writing `null` for what is missing.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(measure, forKey: .measure)
        try container.encode(kind, forKey: .kind)
        try container.encode(multiplier, forKey: .multiplier)
        try container.encode(expressedAs, forKey: .expressedAs)
        try container.encode(better, forKey: .better)
        try container.encode(centre, forKey: .centre)
        try container.encode(points, forKey: .points)
        try container.encode(runs, forKey: .runs)
        try container.encode(phases, forKey: .phases)
        try container.encode(signals, forKey: .signals)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(variation, forKey: .variation)
        try container.encode(assurance, forKey: .assurance)
    }

    /// The points beyond their phase's limits that nobody has explained (no note, no exclusion),
    /// those inside the points the limits rest on first: what `quality` lists.
    public var unexplainedOutside: [(index: Int, inBasis: Bool)] {
        let basis = Set(phases.flatMap(\.basis))
        let found = points.indices.filter { points[$0].outside && !points[$0].excluded && !points[$0].explained }
        return found.filter { basis.contains($0) }.map { ($0, true) }
            + found.filter { !basis.contains($0) }.map { ($0, false) }
    }
}

extension Measure.Direction: Codable {}
