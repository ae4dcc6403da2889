import Foundation
import ImprovementCore

/// Dates as people read them ("3 Mar 2026") rather than ISO text, for charts, tables and lists.
enum DayText {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "3 Mar 2026".
    static func long(_ day: Day) -> String {
        let (year, month, date) = day.components
        return "\(date) \(months[month - 1]) \(year)"
    }

    /// "3 Mar": for axis ticks where the year is shown elsewhere.
    static func short(_ day: Day) -> String {
        let (_, month, date) = day.components
        return "\(date) \(months[month - 1])"
    }

    /// A period or date given as `YYYY-MM-DD` written as a name; other text as it is.
    static func period(_ text: String) -> String {
        Day(text).map(long) ?? text
    }

    /// Text with every ISO date in it (`2026-03-02`, as the analysis writes its reasons) given by name.
    static func names(in text: String) -> String {
        text.replacing(#/\d{4}-\d{2}-\d{2}/#) { match in period(String(match.output)) }
    }

    /// A period's date written so it never wraps in a table: the spaces are non-breaking.
    static func unbroken(_ text: String) -> String {
        period(text).replacingOccurrences(of: " ", with: "\u{00A0}")
    }

    /// An ISO timestamp (`2026-03-03T14:05:09Z`) as "3 Mar 2026 14:05 UTC"; other text as it is.
    static func moment(_ text: String) -> String {
        guard text.count >= 16, let day = Day(String(text.prefix(10))) else { return text }
        let start = text.index(text.startIndex, offsetBy: 11)
        let end = text.index(start, offsetBy: 5)
        return "\(long(day)) \(text[start..<end]) UTC"
    }
}
