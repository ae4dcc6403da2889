import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished process printed and returned.
public struct CommandResult: Sendable {
    public var status: Int32
    public var output: String
    public var error: String

    public init(status: Int32, output: String, error: String) {
        self.status = status
        self.output = output
        self.error = error
    }

    /// The standard output parsed as JSON.
    public func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed])
    }

    /// The standard output parsed as an array of JSON objects.
    public func objects() throws -> [[String: Any]] {
        guard let array = try json() as? [[String: Any]] else {
            throw TestFailure("not an array of objects: \(output)")
        }
        return array
    }
}

/// Runs processes with their output in files (no pipe can fill up and block them).
public enum Processes {
    /// A minimal environment, so nothing from the machine running the tests (IMPROVE_STORE,
    /// IMPROVE_USER...) leaks in.
    public static func environment(home: String, extra: [String: String] = [:]) -> [String: String] {
        var environment = ["HOME": home, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        environment.merge(extra) { $1 }
        return environment
    }

    /// Starts a process writing to `output` and `error` files.
    public static func start(
        _ binary: String, _ arguments: [String], environment: [String: String]?, output: String, error: String,
        input: String? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let environment { process.environment = environment }
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: error, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: error)
        if let input { process.standardInput = FileHandle(forReadingAtPath: input) }
        try process.run()
        return process
    }

    /// Runs a process to the end, its output kept in `folder` until it exits. With a nil
    /// `environment` the child inherits the test's own.
    public static func run(
        _ binary: String, _ arguments: [String], environment: [String: String]? = nil, folder: String? = nil,
        input: String? = nil
    ) throws -> CommandResult {
        let scratch = folder == nil ? try TemporaryFolder(prefix: "improve-run") : nil
        let folder = folder ?? scratch!.path
        let name = UUID().uuidString
        let output = (folder as NSString).appendingPathComponent("\(name).out")
        let error = (folder as NSString).appendingPathComponent("\(name).err")
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: error)
        }
        let process = try start(binary, arguments, environment: environment, output: output, error: error, input: input)
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, output: try String(contentsOfFile: output, encoding: .utf8),
            error: try String(contentsOfFile: error, encoding: .utf8))
    }

    /// Waits until the file contains `text`; false after `timeout` seconds.
    public static func wait(for text: String, in path: String, timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let content = try? String(contentsOfFile: path, encoding: .utf8), content.contains(text) { return true }
            usleep(10_000)
        }
        return false
    }
}
