import ImprovementModel

/// One plotted point of a ``ChartResult``.
///
/// Missing numbers encode as JSON `null` rather than being left out, so every point has the
/// same keys whatever the chart kind.
public struct ChartPoint: Sendable, Hashable, Codable {
    /// The period, exactly as supplied.
    public let period: String
    /// The plotted statistic: the value; a proportion (0...1) on P and P′ charts; a rate per
    /// one unit of denominator on U and U′ charts; numerator ÷ denominator on run, I and MR
    /// charts given both; the moving range on MR charts (`nil` for the first point of a phase).
    public let value: Double?
    /// The numerator as supplied, if any.
    public let numerator: Double?
    /// The denominator as supplied, if any.
    public let denominator: Double?
    /// The centre line at this point: median (run and G charts) or mean (other charts).
    public let centre: Double?
    /// The lower control limit, `nil` on run charts and wherever a limit cannot be computed.
    public let lcl: Double?
    /// The upper control limit, `nil` on run charts and wherever a limit cannot be computed.
    public let ucl: Double?
    /// Whether the value is strictly above the upper or strictly below the lower limit.
    public let outside: Bool
    /// The 1-based phase the point belongs to.
    public let phase: Int
    /// Left out of the centre line, limits and run rules as a known special cause (still plotted).
    public let excluded: Bool
    /// The point carries a note (or an exclusion) saying why it is what it is.
    public let explained: Bool
    /// Making Data Count's reading of the point: common cause, or a special cause meaning
    /// improvement, concern or neither; nil for excluded points and points without a value.
    public let variation: PointVariation?

    init(
        period: String, value: Double?, numerator: Double?, denominator: Double?, centre: Double?, lcl: Double?,
        ucl: Double?, outside: Bool, phase: Int = 1, excluded: Bool = false, explained: Bool = false,
        variation: PointVariation? = nil
    ) {
        self.period = period
        self.value = value
        self.numerator = numerator
        self.denominator = denominator
        self.centre = centre
        self.lcl = lcl
        self.ucl = ucl
        self.outside = outside
        self.phase = phase
        self.excluded = excluded
        self.explained = explained
        self.variation = variation
    }

    private enum CodingKeys: String, CodingKey {
        case period, value, numerator, denominator, centre, lcl, ucl, outside, phase, excluded, explained, variation
    }

    /// Encodes every key, writing `null` for missing numbers (the synthesised encoder would
    /// drop them, and consumers of the JSON rely on a fixed shape).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(period, forKey: .period)
        try container.encode(value, forKey: .value)
        try container.encode(numerator, forKey: .numerator)
        try container.encode(denominator, forKey: .denominator)
        try container.encode(centre, forKey: .centre)
        try container.encode(lcl, forKey: .lcl)
        try container.encode(ucl, forKey: .ucl)
        try container.encode(outside, forKey: .outside)
        try container.encode(phase, forKey: .phase)
        try container.encode(excluded, forKey: .excluded)
        try container.encode(explained, forKey: .explained)
        try container.encode(variation, forKey: .variation)
    }
}
