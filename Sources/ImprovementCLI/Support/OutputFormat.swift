import ArgumentParser
import Foundation

/// `--json`: machine-readable output instead of text for people.
struct OutputFormat: ParsableArguments {
    @Flag(help: "Print JSON (every key present, null when empty) instead of a table.")
    var json = false

    /// Prints `items` as a JSON array, or `table` for people.
    func print(_ items: [JSONOut], table: @autoclosure () -> String) {
        Console.line(json ? JSONOut.array(items).rendered() : table())
    }

    /// Prints one record as a JSON object, or `text` for people.
    func print(_ item: JSONOut, text: @autoclosure () -> String) {
        Console.line(json ? item.rendered() : text())
    }
}

/// "key: value" lines for the show commands, skipping empty values.
struct Details {
    private var lines: [(String, String)] = []

    mutating func add(_ label: String, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        lines.append((label, value))
    }

    var text: String {
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { label, value in
            label + ":" + String(repeating: " ", count: width - label.count + 1)
                + value.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: width + 2))
        }.joined(separator: "\n")
    }
}
