import Foundation
import ImprovementTestSupport
import Testing

/// A device store written by the previous release (Tests/Fixtures/release-1-device.sqlite, made by
/// make-release-1-store.sh with that release's `improve`) opened by this one: the migration keeps
/// every record, conflict and pending change, materialises the fields the old release stored only
/// in its change log (a measure's multiplier, an annotation's exclusion), and the store still syncs.
@Suite("Upgrading a device store")
struct StoreUpgradeTests {
    static var fixture: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/release-1-device.sqlite")
    }

    @Test func aPreviousReleasesStoreOpensWhole() throws {
        let folder = try TemporaryFolder()
        let device = Device("old", user: "nurse.a", in: folder)
        try FileManager.default.copyItem(atPath: Self.fixture.path, toPath: device.store)

        // Fields the old release relayed without knowing them are materialised on upgrade.
        let measure = try device.ok(["measure", "show", "falls-rate", "--json"]).json() as? [String: Any]
        #expect(measure?["multiplier"] as? Double == 1000)
        #expect(measure?["expressedAs"] as? String == "per 1,000 bed days")
        let notes = try device.ok(["annotations", "--json"]).objects()
        #expect(notes.count == 1 && notes.first?["excludesPoint"] as? Bool == true)

        // Records, the conflict and the pending changes survive.
        let points = try device.observations(["--measure", "falls-rate"])
        #expect(points.count == 5)
        let conflicts = try device.conflicts()
        #expect(conflicts.count == 1, "one disagreement about one week is one entry")
        #expect(try device.pending() == 2)
        let chart = try device.ok(["chart", "falls-rate", "--unit", "ward-7"]).output
        #expect(chart.contains("values per 1,000 bed days"), "\(chart)")

        // And it still syncs: to a new server (another change log), everything it recorded goes again.
        let server = try TestServer(in: folder).start()
        let token = try server.addUser("old", role: "member", sites: ["north"])
        try device.ok(["init", "--site", "north", "--server", server.url, "--token", token])
        let sync = try device.ok(["sync"])
        #expect(
            sync.output.contains("restored from a backup") || sync.error.contains("restored from a backup"),
            "\(sync.output)")
        #expect(try device.pending() == 0)
        let reader = Device("reader", user: "lead", in: folder)
        let readerToken = try server.addUser("reader", role: "coordinator", sites: ["north"])
        try reader.initialise(site: "north", server: server, token: readerToken, replica: "reader")
        try reader.ok(["sync"])
        let received = try reader.ok(["export", "--format", "json"]).objects()
        #expect(received.count == 5, "the reader has every data point the old device recorded")
        let status = try reader.status()
        #expect(status["pendingChanges"] as? Int == 0)
    }
}
