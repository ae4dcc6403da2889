import Foundation
import ImprovementCore
import SwiftCSV

/// The CSV form of observations, for `import` and `export`:
/// `measure,unit,period,numerator,denominator,value,note`, with a header line.
///
/// Reading goes through SwiftCSV; each row keeps the line number it starts on (the header is
/// line 1; a note with line breaks inside quotes spans several lines), so problems can be
/// reported as "line 7: ...". Files are read as spreadsheets write them: separated by commas,
/// semicolons or tabs (told by the header line), with or without a UTF-8 byte order mark.
enum ObservationCSV {
    static let columns = ["measure", "unit", "period", "numerator", "denominator", "value", "note"]
    static let requiredColumns = ["measure", "unit", "period"]

    /// One row that parsed into a data point.
    struct Row {
        var line: Int
        var entry: ObservationEntry
    }

    /// One row that could not be used, and why.
    struct Problem: Comparable {
        var line: Int
        var message: String

        static func < (lhs: Problem, rhs: Problem) -> Bool { (lhs.line, lhs.message) < (rhs.line, rhs.message) }
    }

    /// How a spreadsheet wrote the file.
    struct Dialect: Equatable {
        /// `,`, `;` or a tab.
        var separator: Character

        /// Spreadsheets set to a language that writes three and a half as 3,5 separate their
        /// cells with semicolons (or tabs), so in such a file a comma in a number is its decimal mark.
        var decimalComma: Bool { separator != "," }

        /// The file's separator, as a person would name it.
        var description: String {
            switch separator {
            case ";": "semicolon-separated, decimal commas"
            case "\t": "tab-separated, decimal commas"
            default: "comma-separated"
            }
        }

        /// The separator used most in the header line (commas when there is none or a tie): a
        /// header names at least three columns, so it holds at least two separators.
        static func of(header line: Substring) -> Dialect {
            let counts = [",", ";", "\t"].map { separator in (separator, line.filter { $0 == separator }.count) }
            let best = counts.max { $0.1 < $1.1 || ($0.1 == $1.1 && $1.0 == ",") }
            return Dialect(separator: best.map { $0.1 > 0 ? $0.0 : "," } ?? ",")
        }
    }

    /// What a file holds.
    struct Parsed {
        var dialect: Dialect
        var rows: [Row]
        var problems: [Problem]
    }

    /// Splits CSV text into data points and row problems. Throws when the file as a whole is
    /// unusable (not CSV, no header, unknown or missing columns).
    static func parse(_ text: String, name: String) throws -> Parsed {
        var text = Substring(text)
        if text.first == "\u{FEFF}" { text = text.dropFirst() }
        let dialect = Dialect.of(header: text.prefix { !$0.isNewline })
        let csv: EnumeratedCSV
        var records: [[String]] = []
        do {
            // rowLimit 0: only the header is read here; the rows are read once, below.
            csv = try EnumeratedCSV(
                string: String(text), delimiter: CSVDelimiter(unicodeScalarLiteral: dialect.separator),
                loadColumns: false, rowLimit: 0)
            try csv.enumerateAsArray(startAt: 1, rowLimit: nil) { records.append($0) }
        } catch let error as CSVParseError {
            let detail: String
            switch error {
            case .generic(let message), .quotation(let message): detail = message
            }
            throw CLIError(
                "\(name) is not valid CSV (\(detail)). Check the quotes: a note containing a comma, a quote or a "
                    + "line break must be in double quotes, with quotes inside it doubled (\"\").")
        }
        let header = csv.header.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
        try checkHeader(header, name: name)

        var rows: [Row] = []
        var problems: [Problem] = []
        var line = 2
        for record in records {
            let start = line
            line += 1 + record.reduce(0) { $0 + $1.filter(\.isNewline).count }
            if record.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard record.count <= header.count else {
                problems.append(
                    Problem(
                        line: start,
                        message: "it has \(record.count) values but the header has \(header.count) columns. "
                            + "Put a note that contains a comma in double quotes."))
                continue
            }
            var cells: [String: String] = [:]
            for (index, column) in header.enumerated() {
                cells[column] = index < record.count ? record[index] : ""
            }
            do {
                rows.append(Row(line: start, entry: try entry(cells, decimalComma: dialect.decimalComma)))
            } catch {
                problems.append(Problem(line: start, message: error.message))
            }
        }
        return Parsed(dialect: dialect, rows: rows, problems: problems)
    }

    private static func checkHeader(_ header: [String], name: String) throws {
        let expected = columns.joined(separator: ",")
        guard header.contains(where: { !$0.isEmpty }) else {
            throw CLIError("\(name) is empty. Its first line must be the header: \(expected)")
        }
        if let unknown = header.first(where: { !columns.contains($0) }) {
            throw CLIError(
                "\(name) has a column \"\(unknown)\" that improve does not know. The header must name columns from: "
                    + "\(expected) (measure, unit and period are required).")
        }
        if let missing = requiredColumns.first(where: { !header.contains($0) }) {
            throw CLIError(
                "\(name) has no \(missing) column. Its first line must be the header: \(expected)")
        }
        if let repeated = header.first(where: { column in header.filter { $0 == column }.count > 1 }) {
            throw CLIError("\(name) names the column \(repeated) twice in its header.")
        }
    }

    /// Why a row could not be read.
    private struct RowError: Error {
        var message: String

        init(_ error: ImprovementCore.ValidationError) { message = error.description }
        init(_ message: String) { self.message = message }
    }

    private static func entry(_ cells: [String: String], decimalComma: Bool) throws(RowError) -> ObservationEntry {
        func text(_ column: String) -> String? {
            let value = (cells[column] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
        func number(_ column: String) throws(RowError) -> Double? {
            guard let value = text(column) else { return nil }
            guard let number = Self.number(value, decimalComma: decimalComma) else {
                throw RowError(
                    "The \(column) \"\(value)\" is not a number. Enter a plain number such as 12 or "
                        + (decimalComma ? "4,5 (no thousands separators)." : "4.5."))
            }
            return number
        }
        guard let measure = text("measure") else {
            throw RowError(.missing(field: "measure", hint: "Give the measure's id, e.g. falls-rate."))
        }
        guard let unit = text("unit") else {
            throw RowError(.missing(field: "unit", hint: "Give the ward or team's id, e.g. ward-7."))
        }
        guard let periodText = text("period") else {
            throw RowError(.missing(field: "period", hint: "Give a date within the period as YYYY-MM-DD."))
        }
        guard let period = Day(periodText) else { throw RowError(.notADate(field: "period", value: periodText)) }
        let note = cells["note"].flatMap { $0.isEmpty ? nil : $0 }
        return ObservationEntry(
            measure: measure, unit: unit, period: period, numerator: try number("numerator"),
            denominator: try number("denominator"), value: try number("value"), note: note)
    }

    /// A cell as a number. With decimal commas, "3,5" is 3.5 and "3.5" is read as written; a
    /// cell with both marks ("1.234,5") is refused rather than guessed at.
    static func number(_ text: String, decimalComma: Bool) -> Double? {
        var text = text
        if decimalComma, text.contains(",") {
            guard !text.contains("."), text.filter({ $0 == "," }).count == 1 else { return nil }
            text = text.replacingOccurrences(of: ",", with: ".")
        }
        guard let number = Double(text), number.isFinite else { return nil }
        return number
    }

    // MARK: - Writing

    static var headerLine: String { columns.joined(separator: ",") + "\n" }

    /// One observation as a CSV line (with its newline).
    static func line(_ observation: Observation) -> String {
        [
            field(observation.measure), field(observation.unit), observation.period.description,
            NumberText.cell(observation.numerator), NumberText.cell(observation.denominator),
            NumberText.cell(observation.value), field(observation.note ?? ""),
        ].joined(separator: ",") + "\n"
    }

    /// Quotes a field when a reader could misread it: separators, quotes, line breaks, or
    /// spaces at either end (which CSV readers commonly drop).
    static func field(_ text: String) -> String {
        guard let first = text.first, let last = text.last else { return "" }
        let needsQuotes =
            text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline })
            || first.isWhitespace || last.isWhitespace
        return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
