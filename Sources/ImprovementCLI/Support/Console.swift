import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to the terminal. Everything goes straight to the file descriptor (no stdio buffer),
/// so progress lines reach a pipe at once and output never interleaves out of order.
enum Console {
    /// True when standard output is a terminal (progress bars) rather than a pipe or file (plain lines).
    static var isTerminal: Bool { isatty(1) != 0 }

    /// Writes `text` and a newline to standard output.
    static func line(_ text: String = "") {
        write(text + "\n")
    }

    /// Writes `text` to standard output as it is.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes `text` and a newline to standard error: errors, warnings, notes that are not data.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
