/// The analysed chart, ready to draw and to store as JSON.
///
/// Its JSON encoding has exactly the keys `measure`, `kind`, `centre`, `points`, `runs`
/// and `signals`; missing numbers are written as `null`.
public struct ChartResult: Sendable, Hashable, Codable {
    /// The measure's name, as passed in by the caller.
    public let measure: String
    /// The chart kind; encodes as its raw value.
    public let kind: ChartKind
    /// The centre line of the last phase (the frozen baseline centre when the last phase
    /// is the first and has a baseline); `nil` for an empty chart.
    public let centre: Double?
    /// One entry per input point, in the same order.
    public let points: [ChartPoint]
    /// The runs analysis of the last phase, the current state of the process.
    public let runs: RunsSummary
    /// Everything found on the chart, for all phases, including warnings.
    public let signals: [ChartSignal]

    private enum CodingKeys: String, CodingKey {
        case measure, kind, centre, points, runs, signals
    }

    /// Encodes every key, writing `null` for a missing centre line.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(measure, forKey: .measure)
        try container.encode(kind, forKey: .kind)
        try container.encode(centre, forKey: .centre)
        try container.encode(points, forKey: .points)
        try container.encode(runs, forKey: .runs)
        try container.encode(signals, forKey: .signals)
    }
}
