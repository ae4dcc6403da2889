/// A finding on the chart: a rule that fired, or a warning about how far to trust it.
public struct ChartSignal: Sendable, Hashable, Codable {
    /// The rule that produced this entry.
    public let rule: SignalRule
    /// A plain-words sentence for the chart's reader.
    public let message: String
    /// Zero-based indexes of the points involved, in time order.
    public let points: [Int]
}
