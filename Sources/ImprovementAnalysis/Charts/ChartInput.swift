import ImprovementModel

/// One period of data as the caller supplies it, in time order.
///
/// Which fields are needed depends on the `ChartKind`: `value` for I, MR, C and G charts;
/// `numerator` and `denominator` for P, P′, U and U′ charts; either for run charts.
public struct ChartInput: Sendable, Hashable, Codable {
    /// The period as a `YYYY-MM-DD` string. It is carried through untouched, never parsed.
    public var period: String
    /// The measured value, for charts of single values and counts.
    public var value: Double?
    /// Events or cases counted in the period (the top of a proportion or rate).
    public var numerator: Double?
    /// The population or exposure the numerator was counted in.
    public var denominator: Double?
    /// Free-text annotation, such as a change that was tested in this period.
    public var note: String?

    /// Creates one period of chart data.
    public init(
        period: String,
        value: Double? = nil,
        numerator: Double? = nil,
        denominator: Double? = nil,
        note: String? = nil
    ) {
        self.period = period
        self.value = value
        self.numerator = numerator
        self.denominator = denominator
        self.note = note
    }
}
