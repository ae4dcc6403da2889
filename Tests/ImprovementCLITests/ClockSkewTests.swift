import Foundation
import ImprovementTestSupport
import Testing

/// A device whose clock runs an hour ahead records; the server refuses its changes
/// (`clock_skew`); once the clock is right, `improve sync` re-stamps the waiting changes and
/// they arrive, nothing lost. The device clock is shifted with IMPROVE_CLOCK_OFFSET_SECONDS
/// (for tests only); the server uses the real clock.
@Suite("Clock skew")
struct ClockSkewTests {
    @Test func changesMadeWhileTheClockWasAheadAreReStampedAndArrive() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let tabletToken = try server.addUser("dr.ahmed", role: "coordinator", sites: ["north", "south"])
        let otherToken = try server.addUser("nurse.patel", role: "member", sites: ["north"])
        try server.start()
        defer { server.stop() }

        let tablet = Device("tablet", user: "dr.ahmed", in: folder)
        try tablet.initialise(site: "north", server: server, token: tabletToken, replica: "tablet")
        try tablet.defineProgramme()
        try tablet.ok(["sync"])
        let other = Device("other", user: "nurse.patel", in: folder)
        try other.initialise(site: "north", server: server, token: otherToken, replica: "other")
        try other.ok(["sync"])

        // The tablet's clock runs an hour ahead: it records two weeks (one edited), then syncs.
        let ahead = ["IMPROVE_CLOCK_OFFSET_SECONDS": "3600"]
        let week = Dates.week(1)
        try tablet.ok(
            ["record", "falls-rate", "--unit", "ward-7", "--period", week, "--numerator", "2", "--denominator", "400"],
            environment: ahead)
        try tablet.ok(
            ["record", "falls-rate", "--unit", "ward-7", "--period", week, "--numerator", "3", "--denominator", "400"],
            environment: ahead)
        try tablet.ok(
            [
                "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(2), "--numerator", "1",
                "--denominator", "380",
            ], environment: ahead)
        let refused = try tablet.run(["sync"], environment: ahead)
        #expect(refused.status == 75)
        #expect(refused.error.contains("clock is wrong: it is about 60 minutes ahead of the server"))
        #expect(refused.error.contains("Set the date and time correctly"))
        #expect(refused.error.contains("kept"))
        #expect(try tablet.pending() == 3, "the changes stay queued")

        // The clock is corrected: the same command now re-stamps and sends them.
        let synced = try tablet.ok(["sync", "--json"])
        #expect(synced.error.contains("Re-stamped 3 changes"))
        let summary = try #require(try synced.json() as? [String: Any])
        #expect(
            summary["restamped"] as? Int == 3 && summary["sent"] as? Int == 3 && summary["pendingChanges"] as? Int == 0)
        let history = try tablet.ok(["history", "observation", "falls-rate/ward-7/\(week)", "--json"]).objects()
        #expect(history.count == 2)
        let now = Date()
        for change in history {
            let time = try #require((change["time"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(time.timeIntervalSince(now) < 60, "re-stamped with the corrected clock")
        }

        // Nothing was lost: another device receives the latest values.
        try other.ok(["sync"])
        let received = try other.observations(["--measure", "falls-rate"])
        #expect(received.count == 2)
        #expect(received.first { $0["period"] as? String == week }?["numerator"] as? Int == 3)
        #expect(try canonical(received) == canonical(try tablet.observations(["--measure", "falls-rate"])))
        #expect(
            try tablet.conflicts().isEmpty && other.conflicts().isEmpty, "an edit of one's own value is no conflict")
    }
}
