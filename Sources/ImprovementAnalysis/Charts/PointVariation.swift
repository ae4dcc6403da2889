import ImprovementModel

/// What NHS England's Making Data Count (MDC) calls the variation of a point: whether it is
/// common-cause variation or a special cause, and whether that special cause is good news.
///
/// Raw values are the names in the JSON (`"variation": "special-cause-improvement"`).
public enum PointVariation: String, Codable, Sendable {
    /// No rule fires: the point varies as the process always has.
    case commonCause = "common-cause"
    /// A special cause in the direction the measure wants.
    case improvement = "special-cause-improvement"
    /// A special cause against the direction the measure wants.
    case concern = "special-cause-concern"
    /// A special cause without a direction: the measure has none, the chart is a moving range,
    /// or the rule has no side (too few crossings).
    case neutral = "special-cause-neutral"

    /// A short label for tables and icons ("special cause: improvement").
    public var label: String {
        switch self {
        case .commonCause: "common cause"
        case .improvement: "special cause: improvement"
        case .concern: "special cause: concern"
        case .neutral: "special cause: neutral"
        }
    }

    /// The variation in words, as a chart's reader says it ("special cause — improvement").
    public var words: String {
        switch self {
        case .commonCause: "common cause — no sign of change"
        case .improvement: "special cause — improvement"
        case .concern: "special cause — concern"
        case .neutral: "special cause — neither better nor worse"
        }
    }
}

/// What Making Data Count calls assurance: whether the process, as it runs now, can be relied on
/// to meet the measure's target, judged from where the target lies against the current process
/// (control) limits.
public enum TargetAssurance: String, Codable, Sendable {
    /// The target lies beyond the limit on the worse side: every point the process can produce meets it.
    case consistentlyMeets = "consistently-meets"
    /// The target lies inside the limits: the process will meet it some periods and miss it others.
    case hitAndMiss = "hit-and-miss"
    /// The target lies beyond the limit on the better side: the process cannot reach it without a change.
    case consistentlyFails = "consistently-fails"

    /// A short label for tables and icons ("hit and miss").
    public var label: String {
        switch self {
        case .consistentlyMeets: "consistently meets the target"
        case .hitAndMiss: "hit and miss"
        case .consistentlyFails: "consistently fails the target"
        }
    }

    /// The assurance in words, with the reason ("hit and miss — the target lies inside the process limits").
    public var words: String {
        switch self {
        case .consistentlyMeets:
            "consistently meets the target — the target lies outside the process limits, on the side already passed"
        case .hitAndMiss:
            "hit and miss — the target lies inside the process limits, so some periods will meet it and some will not"
        case .consistentlyFails:
            "consistently fails the target — the target lies beyond the process limits; only a change to the process will reach it"
        }
    }
}
