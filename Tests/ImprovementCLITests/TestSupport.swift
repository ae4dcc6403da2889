import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `improve-server` on a loopback port with its own database, stopped with SIGTERM.
final class TestServer {
    let folder: TemporaryFolder
    let database: String
    let binary: String
    private(set) var process: Process?
    private(set) var port = 0
    var url: String { "http://127.0.0.1:\(port)" }

    /// A server on its own new SQLite file, or on `database` (a file or postgres:// URL) shared with others.
    init(in folder: TemporaryFolder, database: String? = nil) throws {
        self.folder = folder
        self.database = database ?? folder.path("server-\(UUID().uuidString).sqlite")
        binary = try Binaries.path("improve-server")
    }

    deinit { stop() }

    /// Creates an account and returns its token.
    func addUser(_ name: String, role: String, sites: [String] = []) throws -> String {
        var arguments = ["user", "add", name, "--role", role, "--database", database]
        if !sites.isEmpty { arguments += ["--sites", sites.joined(separator: ",")] }
        let result = try run(arguments)
        guard result.status == 0, let token = result.output.split(whereSeparator: \.isWhitespace).last else {
            throw TestFailure("could not add \(name): \(result.error)")
        }
        return String(token)
    }

    func revoke(_ name: String) throws {
        let result = try run(["user", "revoke", name, "--database", database])
        guard result.status == 0 else { throw TestFailure("could not revoke \(name): \(result.error)") }
    }

    /// Starts serving (on `port`, or a free port the first time) and waits until it listens;
    /// `options` go to `improve-server serve` (limits, say).
    @discardableResult
    func start(port requested: Int? = nil, options: [String] = []) throws -> TestServer {
        let output = folder.path("server-\(UUID().uuidString).out")
        let process = try Processes.start(
            binary,
            ["serve", "--database", database, "--port", String(requested ?? port), "--log-level", "warning"] + options,
            environment: Processes.environment(home: folder.url.path), output: output,
            error: folder.path("server.log"))
        self.process = process
        guard Processes.wait(for: "listening on", in: output),
            let line = try? String(contentsOfFile: output, encoding: .utf8),
            let port = line.split(separator: ":").last.flatMap({
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            })
        else {
            stop()
            throw TestFailure("improve-server did not start")
        }
        self.port = port
        return self
    }

    /// SIGTERM, then waits for the server to finish.
    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    private func run(_ arguments: [String]) throws -> CommandResult {
        try Processes.run(
            binary, arguments, environment: Processes.environment(home: folder.url.path), folder: folder.url.path)
    }
}

/// One device running the built `improve`, with its own store, as one user.
struct Device {
    let folder: TemporaryFolder
    let store: String
    let user: String
    var environment: [String: String] = [:]

    init(_ name: String, user: String, in folder: TemporaryFolder) {
        self.folder = folder
        self.store = folder.path("\(name).sqlite")
        self.user = user
    }

    /// Runs `improve ARGUMENTS --store STORE` as this device's user.
    func run(
        _ arguments: [String], environment extra: [String: String] = [:], input: String? = nil
    ) throws -> CommandResult {
        var variables = Processes.environment(home: folder.url.path, extra: ["IMPROVE_USER": user])
        variables.merge(environment) { $1 }
        variables.merge(extra) { $1 }
        return try Processes.run(
            try Binaries.path("improve"), arguments + ["--store", store], environment: variables,
            folder: folder.url.path, input: input)
    }

    /// Runs a command that must succeed.
    @discardableResult
    func ok(
        _ arguments: [String], environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    )
        throws -> CommandResult
    {
        let result = try run(arguments, environment: environment)
        #expect(
            result.status == 0, "improve \(arguments.joined(separator: " ")) failed: \(result.error)",
            sourceLocation: sourceLocation)
        return result
    }

    /// `observations --json` as objects.
    func observations(_ filters: [String] = []) throws -> [[String: Any]] {
        try ok(["observations", "--json"] + filters).objects()
    }

    /// `status --json`.
    func status() throws -> [String: Any] {
        guard let status = try ok(["status", "--json"]).json() as? [String: Any] else { throw TestFailure("status") }
        return status
    }

    func pending() throws -> Int { try status()["pendingChanges"] as? Int ?? -1 }

    func conflicts(all: Bool = false) throws -> [[String: Any]] {
        try ok(["conflicts", "--json"] + (all ? ["--all"] : [])).objects()
    }

    /// Sets up the store (and optionally the server).
    func initialise(site: String, server: TestServer? = nil, token: String? = nil, replica: String) throws {
        var arguments = ["init", "--site", site, "--replica", replica]
        if let server { arguments += ["--server", server.url] }
        if let token { arguments += ["--token", token] }
        try ok(arguments)
    }

    /// Two sites, their wards, a programme and three measures: a weekly rate (u chart), a weekly
    /// proportion (p chart) and a monthly run chart of values.
    func defineProgramme() throws {
        try ok(["site", "add", "north", "--name", "North Hospital"])
        try ok(["site", "add", "south", "--name", "South Hospital"])
        try ok(["unit", "add", "ward-7", "--site", "north", "--name", "Ward 7"])
        try ok(["unit", "add", "ward-9", "--site", "south", "--name", "Ward 9"])
        try ok(["programme", "add", "falls", "--name", "Falls prevention", "--aim", "Reduce falls by 30% by June 2027"])
        try ok([
            "measure", "add", "falls-rate", "--programme", "falls", "--name", "Falls per 1,000 bed days", "--type",
            "outcome", "--chart", "u", "--frequency", "week", "--direction", "down", "--target", "3",
            "--numerator-definition", "Falls reported on the incident system", "--denominator-definition",
            "Occupied bed days / 1000",
        ])
        try ok([
            "measure", "add", "hand-hygiene", "--programme", "falls", "--name", "Hand hygiene compliance", "--type",
            "process", "--chart", "p", "--frequency", "week", "--direction", "up",
        ])
        try ok([
            "measure", "add", "staff-confidence", "--programme", "falls", "--name", "Staff confidence score", "--type",
            "balancing", "--chart", "run", "--frequency", "month", "--direction", "up",
        ])
    }
}

/// Dates relative to today, so the tests never record a period in the future.
enum Dates {
    static var today: Day { Day(millisecondsSince1970: PhysicalClock.system.nowMillis()) }

    /// The Monday that starts the week `weeksAgo` weeks before this one.
    static func week(_ weeksAgo: Int, plus days: Int = 0) -> String {
        today.startOfWeek.adding(days: -7 * weeksAgo + days).description
    }

    static func daysAgo(_ days: Int) -> String { today.adding(days: -days).description }
}

/// JSON values compared by content: key order and number spelling do not matter.
func canonical(_ value: Any) throws -> String {
    String(
        decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]),
        as: UTF8.self)
}
