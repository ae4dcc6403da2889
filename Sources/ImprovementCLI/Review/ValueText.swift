import Foundation
import ImprovementCore

/// How chart values are shown to people: proportions as percentages, rates and values as plain
/// numbers with sensible precision. (JSON keeps fractions and per-unit rates.)
enum ValueText {
    static func format(_ value: Double?, kind: ChartKind) -> String {
        guard let value else { return "–" }
        switch kind {
        case .p, .pp: return String(format: "%.1f%%", value * 100)
        default:
            let magnitude = abs(value)
            if magnitude == 0 { return "0" }
            if magnitude >= 100 { return String(format: "%.0f", value) }
            if magnitude >= 1 { return String(format: "%.2f", value) }
            return String(format: "%.4f", value)
        }
    }
}
