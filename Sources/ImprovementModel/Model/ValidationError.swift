/// Why a record was refused, in words a ward nurse can act on.
public enum ValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(field: String, hint: String)
    case invalidID(field: String, value: String)
    case invalidChoice(field: String, value: String, allowed: [String])
    case notADate(field: String, value: String)
    case notFinite(field: String)
    case negative(field: String, value: Double)
    case notWholeNumber(field: String, value: Double)
    case zeroDenominator(measure: String)
    case numeratorExceedsDenominator(numerator: Double, denominator: Double)
    case wrongShape(measure: String, chart: String, needs: String)
    case periodInFuture(period: Day, today: Day)
    case endBeforeStart(start: Day, end: Day)
    case unknownReference(kind: String, id: String)
    case tooLong(field: String, limit: Int)
    case cannotChange(field: String, kind: String)
    case deleted(kind: String, id: String)
    /// A change to a measure that would mix two kinds of data point in one series.
    case seriesWouldMix(measure: String, count: Int, change: String, remedy: String)
    /// A number no ward's data can hold (see `Plausibility`).
    case implausible(field: String, value: Double, limit: Double)
    /// A period before any data this system can hold (see `Plausibility`).
    case periodTooEarly(period: Day, earliest: Day)

    /// What is wrong with the entry and how to put it right, for the person entering it.
    public var description: String {
        switch self {
        case .missing(let field, let hint):
            return "The \(field) is missing. \(hint)"
        case .invalidID(let field, let value):
            return "\"\(value)\" cannot be used as the \(field): use 1 to 64 letters, digits, '.', '_' or '-', "
                + "with no spaces (for example ward-7 or falls.rate)."
        case .invalidChoice(let field, let value, let allowed):
            return "\"\(value)\" is not a valid \(field). Choose one of: \(allowed.joined(separator: ", "))."
        case .notADate(let field, let value):
            return "The \(field) \"\(value)\" is not a date. Write dates as YYYY-MM-DD, for example 2026-03-02."
        case .notFinite(let field):
            return "The \(field) is not a number. Enter a plain number such as 12 or 4.5."
        case .negative(let field, let value):
            return
                "The \(field) is \(Self.format(value)), but it cannot be negative. Check the number and enter it again."
        case .notWholeNumber(let field, let value):
            return
                "The \(field) is \(Self.format(value)), but this measure counts events, so it must be a whole number."
        case .zeroDenominator(let measure):
            return "The denominator for \(measure) is 0. A proportion or rate needs at least one patient, "
                + "bed day or opportunity in the denominator; if there were none this period, leave the period out."
        case .numeratorExceedsDenominator(let numerator, let denominator):
            return
                "The numerator (\(Self.format(numerator))) is larger than the denominator (\(Self.format(denominator))). "
                + "The numerator counts those in the denominator who met the measure, so it cannot be larger."
        case .wrongShape(let measure, let chart, let needs):
            return "\(measure) is charted as a \(chart) chart, so each data point needs \(needs)."
        case .periodInFuture(let period, let today):
            return
                "The period \(period) is in the future (today is \(today)). Record data only for periods that have started."
        case .endBeforeStart(let start, let end):
            return "The end date \(end) is before the start date \(start). Check the dates."
        case .unknownReference(let kind, let id):
            return "There is no \(kind) \"\(id)\" on this device. Check the spelling, add the \(kind) first, "
                + "or sync to receive it."
        case .tooLong(let field, let limit):
            return "The \(field) is too long: keep it under \(limit) characters."
        case .cannotChange(let field, let kind):
            return "The \(field) of an existing \(kind) cannot be changed. Delete it and add a new one instead."
        case .deleted(let kind, let id):
            return "The \(kind) \"\(id)\" has been deleted. Restore it or choose another one."
        case .seriesWouldMix(let measure, let count, let change, let remedy):
            return "\(measure) already has \(count) data point\(count == 1 ? "" : "s"): changing \(change) would mix "
                + "two kinds of point in one chart. \(remedy)"
        case .implausible(let field, let value, let limit):
            return "The \(field) \(Self.format(value)) cannot be right: no data point here is larger than "
                + "\(Self.format(limit)) (as a size). Check the number and enter it again."
        case .periodTooEarly(let period, let earliest):
            return "The period \(period) is before \(earliest): check the year."
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
