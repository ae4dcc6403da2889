import Foundation
import ImprovementCore

/// How numbers, values and times are written for people and files.
enum NumberText {
    /// Whole numbers without a fraction (4, not 4.0); others in the shortest form that reads back
    /// exactly, so a CSV or JSON round trip gives the very same number.
    static func json(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == number.rounded(), abs(number) < 9_007_199_254_740_992 { return String(Int64(number)) }
        return String(number)
    }

    /// A number for a table or CSV cell; empty when there is none.
    static func cell(_ number: Double?) -> String {
        number.map(json) ?? ""
    }

    /// A field value as a person reads it: text without quotes, "(none)" for null.
    static func value(_ value: FieldValue) -> String {
        switch value {
        case .null: "(none)"
        case .bool(let flag): flag ? "yes" : "no"
        case .number(let number): json(number)
        case .text(let text): text
        }
    }

    /// A field value as JSON output.
    static func jsonValue(_ value: FieldValue) -> JSONOut {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number): .number(number)
        case .text(let text): .string(text)
        }
    }

    /// The wall-clock time of a clock stamp, in UTC, to the minute.
    static func time(_ stamp: HLC) -> String {
        let date = Date(timeIntervalSince1970: Double(stamp.millis) / 1000)
        return minuteFormatter().string(from: date)
    }

    /// An ISO 8601 time in UTC, e.g. 2026-11-28T10:15:00Z.
    static func iso(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    private static func minuteFormatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter
    }
}
