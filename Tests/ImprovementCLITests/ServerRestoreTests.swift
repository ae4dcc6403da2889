import Foundation
import ImprovementTestSupport
import Testing

/// A server restored from a backup has lost what it accepted after the backup, while the
/// devices that sent it think it safe. After `improve-server restored`, the next sync of each
/// device sends its own changes again and pulls from the start: nothing is lost, nothing doubled.
@Suite("Restored server")
struct ServerRestoreTests {
    @Test func devicesSendAgainWhatARestoredServerLost() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let coordinatorToken = try server.addUser("dr.ahmed", role: "coordinator", sites: ["north", "south"])
        let tabletToken = try server.addUser("nurse.patel", role: "member", sites: ["north"])
        try server.start()
        defer { server.stop() }
        let coordinator = Device("coordinator", user: "dr.ahmed", in: folder)
        try coordinator.initialise(site: "north", server: server, token: coordinatorToken, replica: "coordinator")
        try coordinator.defineProgramme()
        try coordinator.ok(["sync"])
        let tablet = Device("tablet", user: "nurse.patel", in: folder)
        try tablet.initialise(site: "north", server: server, token: tabletToken, replica: "ward7-tablet")
        try tablet.ok(["sync"])
        try tablet.record(week: 1, numerator: 1)
        try tablet.ok(["sync"])

        // The nightly backup (the server stopped, its file copied), then a week more on the tablet.
        server.stop()
        let backup = folder.path("backup.sqlite")
        try FileManager.default.copyItem(atPath: server.database, toPath: backup)
        try server.start(port: server.port)
        try tablet.record(week: 2, numerator: 2)
        try tablet.ok(["sync"])
        try coordinator.ok(["sync"])
        #expect(try coordinator.observations().count == 2)

        // The server's disk is lost: the backup goes back in place and the operator marks it restored.
        server.stop()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: server.database + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: server.database)
        try server.markRestored()
        try server.start(port: server.port)

        // The tablet's next sync brings week 2 back; the coordinator's brings its definitions back.
        let sync = try tablet.ok(["sync"])
        #expect(sync.output.contains("restored from a backup"), "\(sync.output)")
        let report = try tablet.ok(["sync", "--json"]).json() as? [String: Any]
        #expect(report?["serverRestored"] as? Bool == false, "a second sync finds the same log")
        try coordinator.ok(["sync"])

        let fresh = Device("fresh", user: "dr.ahmed", in: folder)
        try fresh.initialise(site: "north", server: server, token: coordinatorToken, replica: "coordinator-2")
        try fresh.ok(["sync"])
        let weeks = try fresh.observations().compactMap { $0["numerator"] as? Double }.sorted()
        #expect(weeks == [1, 2], "every observation is back on the server, once")
        #expect(try coordinator.observations().count == 2 && tablet.observations().count == 2)
        #expect(try tablet.pending() == 0 && coordinator.pending() == 0)
    }
}

extension Device {
    /// Records the falls-rate of ward-7 for a week ago `week` weeks.
    fileprivate func record(week: Int, numerator: Int) throws {
        try ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(week), "--numerator", String(numerator),
            "--denominator", "400",
        ])
    }
}

extension TestServer {
    /// `improve-server restored`: the database was just restored from a backup.
    fileprivate func markRestored() throws {
        let result = try Processes.run(
            binary, ["restored", "--database", database], environment: Processes.environment(home: folder.url.path),
            folder: folder.url.path)
        guard result.status == 0 else { throw TestFailure("improve-server restored failed: \(result.error)") }
    }
}
