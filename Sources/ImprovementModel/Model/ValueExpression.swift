import Foundation

/// How a measure's values are shown to people: the stored value times a multiplier, followed by
/// the measure's unit words ("5.6 per 1,000 bed days", "82.5%"). Stored and JSON values stay raw
/// (fractions, rates per one unit of denominator), so scripts never have to guess.
public struct ValueExpression: Sendable, Hashable, Codable {
    /// What a stored value is multiplied by before it is shown.
    public let multiplier: Double
    /// The words after a shown value: "%" or "per 1,000 bed days"; nil for plain numbers.
    public let words: String?

    /// A multiplier (a non-positive or non-finite one counts as 1) and the unit words (empty counts as none).
    public init(multiplier: Double = 1, words: String? = nil) {
        self.multiplier = multiplier.isFinite && multiplier > 0 ? multiplier : 1
        self.words = words.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The expression of a measure: proportions default to per cent, everything else to plain
    /// values; a multiplier without words reads "per 1,000".
    public init(chart: Measure.Chart, multiplier: Double?, words: String?) {
        let chosen = multiplier ?? (chart.isProportion ? 100 : 1)
        let derived: String?
        if let words, !words.isEmpty {
            derived = words
        } else if chosen == 100, chart.isProportion {
            derived = "%"
        } else if chosen != 1 {
            derived = "per " + Self.grouped(chosen)
        } else {
            derived = nil
        }
        self.init(multiplier: chosen, words: derived)
    }

    /// Plain values, as stored.
    public static let plain = ValueExpression()

    /// The stored value a person means when they type `shown` in this expression (a target of 5
    /// per 1,000 is stored as 0.005).
    public func raw(fromShown shown: Double) -> Double { shown / multiplier }

    /// The shown number alone, for tables and axes: "5.6", "82.5%", "–" for no value.
    public func number(_ raw: Double?) -> String {
        guard let raw else { return "–" }
        let shown = raw * multiplier
        if words == "%" { return Self.decimal(shown, places: 1) + "%" }
        return Self.significant(shown)
    }

    /// The shown number with the unit words: "5.6 per 1,000 bed days", "82.5%".
    public func text(_ raw: Double?) -> String {
        guard raw != nil else { return "–" }
        guard let words, words != "%" else { return number(raw) }
        return number(raw) + " " + words
    }

    /// The words for a heading, e.g. "values per 1,000 bed days"; nil for plain values.
    public var caption: String? {
        guard let words else { return nil }
        return words == "%" ? "values in %" : "values " + words
    }

    /// Enough digits to read, never a 300-digit number: whole numbers from 100, two decimals
    /// between 1 and 10, three significant digits below 1, scientific notation from 10 million.
    static func significant(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude == 0 { return "0" }
        if magnitude >= 10_000_000 { return String(format: "%.3g", value) }
        if magnitude >= 100 { return String(format: "%.0f", value) }
        if magnitude >= 10 { return decimal(value, places: 1) }
        if magnitude >= 1 { return decimal(value, places: 2) }
        return trimmed(String(format: "%.3g", value))
    }

    static func decimal(_ value: Double, places: Int) -> String {
        trimmed(String(format: "%.\(places)f", value))
    }

    /// 4.50 reads 4.5 and 4.00 reads 4: trailing zeros only suggest precision that is not there.
    private static func trimmed(_ text: String) -> String {
        guard text.contains("."), !text.contains("e") else { return text }
        var result = Substring(text)
        while result.hasSuffix("0") { result = result.dropLast() }
        if result.hasSuffix(".") { result = result.dropLast() }
        return result == "-0" ? "0" : String(result)
    }

    /// 1000 → "1,000", 0.5 → "0.5".
    static func grouped(_ value: Double) -> String {
        guard value == value.rounded(), abs(value) < 1e15 else { return significant(value) }
        let digits = String(Int64(abs(value)))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }
}
