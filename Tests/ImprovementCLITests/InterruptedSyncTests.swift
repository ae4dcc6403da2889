import Foundation
import ImprovementTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sync killed with SIGKILL in the middle of a large push, and another in the middle of a
/// large pull, are simply run again: everything arrives once, nothing twice.
@Suite("Interrupted sync")
struct InterruptedSyncTests {
    static let days = 1500
    static let units = ["ward-7", "ward-8"]

    @Test func aSyncKilledPartWayAndRunAgainDuplicatesNothing() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let tokens = try ["sender", "receiver", "checker"].map {
            try server.addUser($0, role: "coordinator", sites: ["north"])
        }
        try server.start()
        defer { server.stop() }

        // The sender records 3,000 daily data points (one import) plus 5 definitions.
        let sender = Device("sender", user: "sender", in: folder)
        try sender.initialise(site: "north", server: server, token: tokens[0], replica: "sender")
        try sender.ok(["site", "add", "north", "--name", "North"])
        for unit in Self.units { try sender.ok(["unit", "add", unit, "--name", unit]) }
        try sender.ok(["programme", "add", "safety", "--name", "Safety", "--aim", "Check every bed every day"])
        try sender.ok([
            "measure", "add", "bed-checks", "--programme", "safety", "--name", "Beds checked", "--type", "process",
            "--chart", "c", "--frequency", "day", "--direction", "up",
        ])
        var csv = "measure,unit,period,numerator,denominator,value,note\n"
        for unit in Self.units {
            for day in 1...Self.days { csv += "bed-checks,\(unit),\(Dates.daysAgo(day)),,,\(day % 17),\n" }
        }
        let file = folder.path("checks.csv")
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        try sender.ok(["import", file])
        let total = Self.days * Self.units.count
        let changes = total + 5
        #expect(try sender.pending() == changes)

        // Push in batches of 100 and kill the process once the first batch was acknowledged.
        try killPartWay(sender, ["sync", "--batch-size", "100"], after: "sent 100 of", in: folder)
        let left = try sender.pending()
        #expect(left > 0 && left < changes, "killed part-way through the push (\(left) of \(changes) left)")
        let resumed = try #require(try sender.ok(["sync", "--json"]).json() as? [String: Any])
        #expect(resumed["sent"] as? Int == left && resumed["pendingChanges"] as? Int == 0)

        // Pull in pages of 250 and kill the process after the first page was applied.
        let receiver = Device("receiver", user: "receiver", in: folder)
        try receiver.initialise(site: "north", server: server, token: tokens[1], replica: "receiver")
        try killPartWay(receiver, ["sync", "--page-size", "250"], after: "pulled page 1:", in: folder)
        let cursor = try receiver.status()["pullCursor"] as? Int ?? 0
        #expect(cursor > 0 && cursor < changes, "killed part-way through the pull (cursor \(cursor) of \(changes))")
        try receiver.ok(["sync", "--page-size", "250"])
        #expect(try receiver.status()["pullCursor"] as? Int == changes)

        // Everyone holds the same 3,000 data points, and the server holds each change once: a
        // device that pulls everything afresh receives exactly the sender's changes.
        let expected = try canonical(try sender.observations())
        let received = try receiver.observations()
        #expect(received.count == total)
        #expect(try canonical(received) == expected)
        let checker = Device("checker", user: "checker", in: folder)
        try checker.initialise(site: "north", server: server, token: tokens[2], replica: "checker")
        let fresh = try #require(try checker.ok(["sync", "--json"]).json() as? [String: Any])
        #expect(fresh["received"] as? Int == changes)
        #expect(try canonical(try checker.observations()) == expected)
    }

    /// Starts `improve ARGUMENTS` and sends it SIGKILL as soon as its output shows `marker`.
    private func killPartWay(
        _ device: Device, _ arguments: [String], after marker: String, in folder: TemporaryFolder
    ) throws {
        let output = folder.path("killed-\(UUID().uuidString).out")
        var environment = Processes.environment(home: folder.url.path, extra: ["IMPROVE_USER": device.user])
        environment["IMPROVE_STORE"] = device.store
        let process = try Processes.start(
            try Binaries.path("improve"), arguments, environment: environment, output: output,
            error: folder.path("killed.err"))
        #expect(Processes.wait(for: marker, in: output), "the sync printed its progress")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "killed, not finished")
    }
}
