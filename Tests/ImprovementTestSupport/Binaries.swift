import Foundation

/// Finds the package's executables, built next to the tests, and system tools.
public enum Binaries {
    /// The path of the package executable `name` (`improve`, `improve-server`...).
    public static func path(_ name: String) throws -> String {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestFailure("\(name) was not built next to the tests (looked in \(folder.path))")
    }

    /// Runs `binary` to the end with the test's own environment.
    public static func run(_ binary: String, _ arguments: [String]) throws -> CommandResult {
        try Processes.run(binary, arguments)
    }

    /// A system tool on PATH, or nil.
    public static func onPath(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A test precondition that did not hold, in words.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
