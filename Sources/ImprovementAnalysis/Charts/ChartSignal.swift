import ImprovementModel

/// A signal on the chart: a rule that found non-random variation.
public struct ChartSignal: Sendable, Hashable, Codable {
    /// What the lines the points were tested against belong to.
    public enum Basis: String, Sendable, Hashable, Codable {
        /// The phase's own centre line and limits: is the phase stable?
        case phase
        /// The previous phase's centre line and limits, extended forward: did the change shift
        /// the process?
        case previousPhase = "previous-phase"
    }

    /// The rule that produced this entry.
    public let rule: SignalRule
    /// A plain-words sentence for the chart's reader.
    public let message: String
    /// Zero-based indexes of the points involved, in time order.
    public let points: [Int]
    /// Improvement or concern, judged against the measure's desired direction; neutral when the
    /// rule has no direction (too few crossings, a moving range) or the direction is not known.
    public let direction: SignalDirection
    /// Which way the points moved: `higher` or `lower` than the line; nil for rules without one.
    public let side: SignalSide?
    /// The 1-based phase whose points signal.
    public let phase: Int
    /// Whether the points were tested against their own phase's lines or the previous phase's.
    public let against: Basis
}

/// A signal's meaning for the measure: better, worse, or neither.
public enum SignalDirection: String, Sendable, Hashable, Codable {
    case improvement, concern, neutral
}

/// Which way a signal's points lie from the line they were tested against.
public enum SignalSide: String, Sendable, Hashable, Codable {
    case higher, lower

    /// What moving this way means for a measure that is better `up` or `down` (neutral when unknown).
    func direction(better: Measure.Direction?) -> SignalDirection {
        guard let better else { return .neutral }
        return (self == .higher) == (better == .up) ? .improvement : .concern
    }
}

/// A warning about how far the chart can be trusted: too few points, limits resting on few
/// points, no variation to estimate limits from, a special cause inside the limits' basis.
public struct ChartWarning: Sendable, Hashable, Codable {
    /// The reason for the warning.
    public let rule: SignalRule
    /// A plain-words sentence for the chart's reader.
    public let message: String
    /// Zero-based indexes of the points concerned, in time order.
    public let points: [Int]
}
