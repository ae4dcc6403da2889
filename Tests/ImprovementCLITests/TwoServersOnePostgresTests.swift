import Dispatch
import Foundation
import ImprovementTestSupport
import Testing

/// Past one machine: two `improve-server` processes share one PostgreSQL database, and three
/// devices sync through alternating servers while they keep writing. Everyone converges, and the
/// shared log holds every change exactly once with no sequence number skipped.
@Suite("Two servers on one PostgreSQL, end to end")
struct TwoServersOnePostgresTests {
    /// A new database on the test cluster (IMPROVE_TEST_POSTGRES_URL, started by scripts/test.sh).
    static func createDatabase(in folder: TemporaryFolder) throws -> String {
        guard let server = ProcessInfo.processInfo.environment["IMPROVE_TEST_POSTGRES_URL"], !server.isEmpty else {
            throw TestFailure(
                "IMPROVE_TEST_POSTGRES_URL is not set: run the tests with `bash scripts/test.sh`, which starts a "
                    + "throwaway PostgreSQL cluster.")
        }
        let name = "improve_e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        _ = try psql(server, "CREATE DATABASE \(name)", in: folder)
        var components = try #require(URLComponents(string: server))
        components.path = "/" + name
        return try #require(components.string)
    }

    /// Runs one statement with psql and returns its unaligned output.
    static func psql(_ url: String, _ statement: String, in folder: TemporaryFolder) throws -> String {
        let binary = try #require(
            Binaries.onPath("psql") ?? ["/usr/bin/psql"].first { FileManager.default.isExecutableFile(atPath: $0) })
        let result = try Processes.run(
            binary, [url, "-v", "ON_ERROR_STOP=1", "-Atc", statement],
            environment: Processes.environment(home: folder.url.path), folder: folder.url.path)
        guard result.status == 0 else { throw TestFailure("psql \(statement): \(result.error)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func threeDevicesConvergeThroughTwoServersWhileWritingConcurrently() throws {
        let folder = try TemporaryFolder()
        let database = try Self.createDatabase(in: folder)
        let serverA = try TestServer(in: folder, database: database)
        let serverB = try TestServer(in: folder, database: database)
        // Accounts made through one server process are valid on the other: they share the database.
        let coordinatorToken = try serverA.addUser("dr.ahmed", role: "coordinator", sites: ["north", "south"])
        let tabletToken = try serverB.addUser("nurse.patel", role: "member", sites: ["north"])
        let laptopToken = try serverA.addUser("sister.okafor", role: "member", sites: ["north"])
        let southToken = try serverB.addUser("nurse.jones", role: "member", sites: ["south"])
        try serverA.start()
        defer { serverA.stop() }
        try serverB.start()
        defer { serverB.stop() }
        let servers = [serverA, serverB]
        let urls = servers.map(\.url)

        let coordinator = Device("coordinator", user: "dr.ahmed", in: folder)
        try coordinator.initialise(site: "north", server: serverA, token: coordinatorToken, replica: "coordinator")
        try coordinator.defineProgramme()
        try coordinator.ok(["sync"])

        let tablet = Device("tablet", user: "nurse.patel", in: folder)
        let laptop = Device("laptop", user: "sister.okafor", in: folder)
        let south = Device("south", user: "nurse.jones", in: folder)
        try tablet.initialise(site: "north", server: serverB, token: tabletToken, replica: "ward7-tablet")
        try laptop.initialise(site: "north", server: serverA, token: laptopToken, replica: "ward7-laptop")
        try south.initialise(site: "south", server: serverB, token: southToken, replica: "ward9-tablet")
        let devices = [tablet, laptop, south]
        let units = ["ward-7", "ward-7", "ward-9"]
        // The devices receive the definitions, one through each server.
        for device in devices { try device.ok(["sync"]) }

        let rounds = 6
        for round in 0..<rounds {
            // Each device writes while the others sync; then all three sync at once, each through
            // the server it is pointed at this round (the servers alternate).
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: devices.count) { index in
                let device = devices[index]
                do {
                    let switched = try device.run(["init", "--server", urls[(round + index) % 2]])
                    guard switched.status == 0 else { throw TestFailure("init --server: \(switched.error)") }
                    for week in 0..<4 {
                        // The two north devices record the same weeks with different values.
                        let recorded = try device.run([
                            "record", "falls-rate", "--unit", units[index], "--period",
                            Dates.week(round * 4 + week + 1),
                            "--numerator", String(index + week), "--denominator", "400",
                        ])
                        guard recorded.status == 0 else { throw TestFailure("record: \(recorded.error)") }
                        if week == 1 {
                            let synced = try device.run(["sync", "--retries", "8", "--retry-delay", "0.2"])
                            guard synced.status == 0 else { throw TestFailure("sync: \(synced.error)") }
                        }
                    }
                    let synced = try device.run(["sync", "--retries", "8", "--retry-delay", "0.2"])
                    guard synced.status == 0 else { throw TestFailure("sync: \(synced.error)") }
                } catch {
                    failures.add("device \(index), round \(round): \(error)")
                }
            }
            #expect(failures.all.isEmpty, "\(failures.all)")
        }

        // A last round of syncs, one at a time, through the other server each.
        for (index, device) in devices.enumerated() {
            try device.ok(["init", "--server", servers[index % 2].url])
            try device.ok(["sync"])
        }
        for (index, device) in devices.enumerated() {
            try device.ok(["init", "--server", servers[(index + 1) % 2].url])
            try device.ok(["sync"])
            #expect(try device.pending() == 0)
        }
        try coordinator.ok(["init", "--server", serverB.url])
        try coordinator.ok(["sync"])

        // Everyone converged: the north devices hold the same observations, south only its own.
        let tabletView = try canonical(tablet.observations())
        #expect(tabletView == (try canonical(laptop.observations())))
        let northCount = try tablet.observations().count
        let southCount = try south.observations().count
        #expect(northCount == rounds * 4 && southCount == rounds * 4)
        #expect(try south.observations().allSatisfy { ($0["unit"] as? String) == "ward-9" })
        #expect(try coordinator.observations().count == northCount + southCount)
        // The two north devices disagreed about the weeks neither had seen the other's value of: the
        // coordinator sees those conflicts, one entry per record.
        let entries = try coordinator.conflicts()
        #expect(!entries.isEmpty && entries.count <= rounds * 4)
        #expect(Set(entries.compactMap { $0["entity"] as? String }).count == entries.count)

        // The shared log: every change once, sequence numbers 1...n with none skipped, and a new
        // device pulling through either server receives exactly that many changes.
        let counts = try Self.psql(
            database, "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || max(seq) FROM sync_change", in: folder)
        let numbers = counts.split(separator: " ").compactMap { Int($0) }
        #expect(numbers.count == 3 && numbers[0] == numbers[1] && numbers[0] == numbers[2], "\(counts)")
        let newcomer = Device("newcomer", user: "dr.ahmed", in: folder)
        try newcomer.initialise(site: "north", server: serverB, token: coordinatorToken, replica: "newcomer")
        let pulled = try newcomer.ok(["sync", "--json", "--page-size", "97"]).json() as? [String: Any]
        #expect(pulled?["received"] as? Int == numbers.first)
        #expect(try canonical(newcomer.observations()) == (try canonical(coordinator.observations())))
    }
}

/// Failures collected from concurrent work.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
