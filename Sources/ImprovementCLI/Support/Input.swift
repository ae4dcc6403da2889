import ArgumentParser
import Foundation
import ImprovementCore

/// Checks of command-line values, made in `validate()` so a wrong value is refused before the
/// store is opened, with the same words the store would use.
enum Input {
    /// Parses a `YYYY-MM-DD` date or refuses it with the store's message.
    static func day(_ text: String, field: String) throws -> Day {
        guard let day = Day(text) else {
            throw ArgumentParser.ValidationError(
                ImprovementCore.ValidationError.notADate(field: field, value: text).description)
        }
        return day
    }

    /// Parses a date when one was given.
    static func optionalDay(_ text: String?, field: String) throws -> Day? {
        try text.map { try day($0, field: field) }
    }

    /// Refuses an id the store would refuse: 1-64 letters, digits, '.', '_' or '-'.
    static func id(_ text: String, field: String) throws {
        let bytes = text.utf8
        let valid =
            !bytes.isEmpty && bytes.count <= 64
            && bytes.allSatisfy { byte in
                (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57)
                    || byte == 46 || byte == 95 || byte == 45
            }
        guard valid else {
            throw ArgumentParser.ValidationError(
                ImprovementCore.ValidationError.invalidID(field: field, value: text).description)
        }
    }

    static func id(_ text: String?, field: String) throws {
        if let text { try id(text, field: field) }
    }

    /// Refuses an empty text where one is required.
    static func text(_ text: String, option: String, example: String) throws {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ArgumentParser.ValidationError("\(option) cannot be empty, for example \(option) \"\(example)\"")
        }
    }

    /// A short random id for records people rarely refer to by id (stories, annotations).
    static func generatedID(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt32
        let hex = String(value, radix: 16)
        return prefix + "-" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
