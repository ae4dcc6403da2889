import Foundation
import ImprovementCore

/// The Making Data Count words the icons draw, as raw strings so the icon code stays free of
/// the core's types. The analysis states them (`variation`, `assurance`); this only adds the
/// side the latest special cause lies on, which the icon's letter shows (H or L).
extension ChartResult {
    /// The variation of the chart's latest point, in MDC's raw words; nil without points.
    var mdcVariation: String? { variation?.rawValue }

    /// "higher" or "lower": the side of its centre line the latest point with a special cause lies on.
    var mdcSide: String? {
        guard let variation, variation != .commonCause,
            let point = points.last(where: { $0.variation != nil && !$0.excluded }),
            let value = point.value, let centre = point.centre, value != centre
        else { return nil }
        return value > centre ? SignalSide.higher.rawValue : SignalSide.lower.rawValue
    }

    /// Where the measure's target lies against the latest process limits, in MDC's raw words; nil
    /// without a target or limits (the analysis judged it against the measure's own target).
    var mdcAssurance: String? { assurance?.rawValue }
}
