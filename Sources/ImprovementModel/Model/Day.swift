/// A calendar date without a time of day or time zone: the unit in which QI periods are counted.
///
/// Stored and exchanged as `YYYY-MM-DD`, so string order is date order. Arithmetic uses the
/// proleptic Gregorian day number directly, which is far cheaper than `Calendar` on Linux.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let dayNumber: Int

    /// The date `dayNumber` days after 1970-01-01 (negative: before).
    public init(dayNumber: Int) {
        self.dayNumber = dayNumber
    }

    /// Returns nil when the components do not name a real date (for example 2026-02-30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= Day.daysInMonth(year: year, month: month)
        else { return nil }
        self.dayNumber = Day.daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD` strictly; returns nil for anything else.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var result = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                result = result * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return result
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The UTC calendar date of a moment given in milliseconds since 1970.
    public init(millisecondsSince1970 millis: Int64, utcOffsetSeconds: Int = 0) {
        let seconds = millis / 1000 + Int64(utcOffsetSeconds)
        self.dayNumber = Int((seconds - ((seconds % 86_400) + 86_400) % 86_400) / 86_400)
    }

    /// The Gregorian year, month (1-12) and day of the month (1-31).
    public var components: (year: Int, month: Int, day: Int) {
        Day.civilFromDays(dayNumber)
    }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (ISO 4).
        ((dayNumber % 7 + 7 + 3) % 7) + 1
    }

    /// The date so many days later (negative counts go back).
    public func adding(days: Int) -> Day { Day(dayNumber: dayNumber + days) }

    /// The Monday that starts this date's ISO week.
    public var startOfWeek: Day { adding(days: 1 - isoWeekday) }

    /// The first day of this date's month.
    public var startOfMonth: Day {
        let (year, month, _) = components
        return Day(dayNumber: Day.daysFromCivil(year: year, month: month, day: 1))
    }

    /// The first day of the month `count` months later (negative counts go back).
    public func addingMonths(_ count: Int) -> Day {
        let (year, month, _) = components
        let total = year * 12 + (month - 1) + count
        return Day(dayNumber: Day.daysFromCivil(year: total / 12, month: total % 12 + 1, day: 1))
    }

    /// The date as `YYYY-MM-DD`.
    public var description: String {
        let (year, month, day) = components
        return String(unsafeUninitializedCapacity: 10) { buffer in
            func put(_ value: Int, at start: Int, width: Int) {
                var rest = value
                for index in stride(from: start + width - 1, through: start, by: -1) {
                    buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(year, at: 0, width: 4)
            buffer[4] = UInt8(ascii: "-")
            put(month, at: 5, width: 2)
            buffer[7] = UInt8(ascii: "-")
            put(day, at: 8, width: 2)
            return 10
        }
    }

    /// Earlier dates come first.
    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.dayNumber < rhs.dayNumber }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
