import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the terminal can show: its width, and whether colour is welcome.
enum TerminalSize {
    /// The width to wrap at: `COLUMNS` when set, else the terminal's own width, else 80 (a pipe
    /// or file). Never below 40, so a tiny or bogus value still leaves readable lines.
    static var columns: Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let value = Int(text), value > 0 {
            return max(40, value)
        }
        var size = winsize()
        if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return max(40, Int(size.ws_col)) }
        return 80
    }

    /// Colour only on a terminal, never when `NO_COLOR` is set (https://no-color.org) or `TERM` is dumb.
    static var colour: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(1) != 0
    }
}

/// Words wrapped to a width without breaking any of them; a non-breaking space (U+00A0) glues
/// words that belong together ("3 Mar 2026") and prints as a plain space.
enum TextWrap {
    /// The text's leading spaces start its first line; later lines start with `indent`.
    static func lines(_ text: String, width: Int, indent: String = "") -> [String] {
        let leading = text.prefix { $0 == " " }
        var lines: [String] = []
        var line = String(leading)
        var fresh = true
        for word in text.dropFirst(leading.count).split(separator: " ") {
            if !fresh, visible(line) + 1 + visible(word) > width {
                lines.append(line)
                line = indent + word
            } else {
                line += (fresh ? "" : " ") + word
            }
            fresh = false
        }
        if !fresh { lines.append(line) }
        return lines.map { $0.replacingOccurrences(of: "\u{00A0}", with: " ") }
    }

    /// Characters a terminal shows, leaving out colour escapes.
    static func visible(_ text: some StringProtocol) -> Int {
        var count = 0
        var escaping = false
        for character in text {
            if escaping {
                if character.isLetter { escaping = false }
            } else if character == "\u{1B}" {
                escaping = true
            } else {
                count += 1
            }
        }
        return count
    }
}
