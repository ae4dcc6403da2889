import Foundation
import ImprovementCore

/// The MDC words the icons draw, derived here from the verdict and the last phase's limits.
/// The analysis core states them itself (`variation`, `assurance`); these stand in until the
/// views read those fields, and keep the icon code free of the core's types.
extension ChartResult {
    /// The variation of the chart's latest state, in MDC's raw words; nil when too few points.
    var mdcVariation: String? {
        switch verdict.verdict {
        case .improving: "special-cause-improvement"
        case .deteriorating: "special-cause-concern"
        case .unclear: "special-cause-neutral"
        case .noSignal: "common-cause"
        case .tooFewPoints, .unstableBaseline: nil
        }
    }

    /// "higher" or "lower": which way the verdict's signal moved.
    var mdcSide: String? {
        verdict.signal.flatMap { signals.indices.contains($0) ? signals[$0].side?.rawValue : nil }
    }

    /// Where the target lies against the last phase's limits: consistently met, hit and miss,
    /// or consistently failed; nil without a target, limits or direction.
    func mdcAssurance(target: Double?) -> String? {
        guard let target, let better, let phase = phases.last, !phase.limitsVary, phase.lcl != nil || phase.ucl != nil
        else { return nil }
        // A limit that does not exist (below zero for a count or rate) bounds nothing on its side.
        let lcl = phase.lcl ?? -Double.infinity
        let ucl = phase.ucl ?? Double.infinity
        if target >= lcl && target <= ucl { return "hit-and-miss" }
        let processAbove = lcl > target
        return (processAbove == (better == .up)) ? "consistently-meets" : "consistently-fails"
    }
}
