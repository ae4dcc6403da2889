import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks for numbers one line at a time, at a terminal or from piped answers.
struct LinePrompt {
    /// What one answer was.
    enum Answer: Equatable {
        case number(Double)
        /// An empty answer.
        case skip
        /// `q` (or `quit`), or the end of the input.
        case quit
    }

    /// Piped answers are not shown by a terminal, so they are echoed after their prompt and the
    /// output reads as the conversation it was.
    private let echo = isatty(0) == 0

    /// Asks for `label` until the answer is a number, empty or `q`. A number is read as improve
    /// record reads one (a plain finite number such as 12 or 4.5).
    func number(_ label: String) -> Answer {
        while true {
            Console.write("\(label): ")
            guard let line = readLine(strippingNewline: true) else {
                Console.line(echo ? "" : "\n")
                return .quit
            }
            if echo { Console.line(line) }
            let answer = line.trimmingCharacters(in: .whitespaces)
            if answer.isEmpty { return .skip }
            if ["q", "quit"].contains(answer.lowercased()) { return .quit }
            if let number = Double(answer), number.isFinite { return .number(number) }
            Console.line(
                "  \"\(answer)\" is not a number. Enter a plain number such as 12 or 4.5 (empty skips, q stops).")
        }
    }
}
