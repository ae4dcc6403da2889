import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

/// A device with more waiting than the server takes in one push (`--max-batch`,
/// `--max-body-bytes`) syncs it all in one `improve sync`: batches are split until they fit, and
/// a single change too large for the server is held with the limit named while the rest arrive.
@Suite("improve sync within the server's limits, end to end")
struct PushLimitEndToEndTests {
    @Test func oneSyncSendsHundredsOfLongChangesThroughSmallLimits() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let coordinatorToken = try server.addUser("dr.ahmed", role: "coordinator", sites: ["north", "south"])
        let wardToken = try server.addUser("nurse.patel", role: "member", sites: ["north"])
        try server.start(options: ["--max-batch", "10", "--max-body-bytes", "4096"])
        defer { server.stop() }

        let coordinator = Device("coordinator", user: "dr.ahmed", in: folder)
        try coordinator.initialise(site: "north", server: server, token: coordinatorToken, replica: "coordinator")
        try coordinator.defineProgramme()
        try Self.defineChangeIdea(on: coordinator)
        for index in 0..<3 {
            try coordinator.ok([
                "pdsa", "add", "told-\(index)", "--change-idea", "rounding", "--unit", "ward-7", "--title",
                "Hourly rounding, trial \(index)", "--plan", Self.text(1400), "--prediction", Self.text(600),
            ])
            try coordinator.ok(["story", "add", "story-told-\(index)", "--kind", "patient", "--text", Self.text(1800)])
        }
        // Hundreds more, written through the store library itself (as fast as a ward never is).
        try Self.addCycles(300, to: coordinator.store)
        let pending = try coordinator.pending()
        #expect(pending > 300)

        let sync = try coordinator.run(["sync", "--json"])
        #expect(sync.status == 0, "improve sync failed: \(sync.error)")
        let summary = try #require(try sync.json() as? [String: Any])
        #expect(summary["sent"] as? Int == pending)
        #expect(summary["held"] as? Int == 0)
        #expect(try coordinator.pending() == 0)

        let tablet = Device("tablet", user: "nurse.patel", in: folder)
        try tablet.initialise(site: "north", server: server, token: wardToken, replica: "ward7-tablet")
        try tablet.ok(["sync"])
        #expect(try tablet.ok(["pdsa", "list", "--json"]).objects().count == 303)
        #expect(try tablet.ok(["story", "list", "--json"]).objects().count == 3)
    }

    @Test func aChangeTooLargeForTheServerIsHeldWithTheLimitNamedAndTheRestArrive() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let coordinatorToken = try server.addUser("dr.ahmed", role: "coordinator", sites: ["north", "south"])
        let wardToken = try server.addUser("nurse.patel", role: "member", sites: ["north"])
        try server.start(options: ["--max-batch", "10", "--max-body-bytes", "4096"])
        defer { server.stop() }

        let coordinator = Device("coordinator", user: "dr.ahmed", in: folder)
        try coordinator.initialise(site: "north", server: server, token: coordinatorToken, replica: "coordinator")
        try coordinator.defineProgramme()
        try coordinator.ok(["story", "add", "before", "--kind", "staff", "--text", Self.text(1500)])
        try coordinator.ok(["story", "add", "too-long", "--kind", "patient", "--text", Self.text(6000)])
        try coordinator.ok(["story", "add", "after", "--kind", "staff", "--text", Self.text(1500)])

        let sync = try coordinator.run(["sync"])
        #expect(sync.status == 77, "a held change is reported: \(sync.output) \(sync.error)")
        #expect(sync.error.contains("improve held"))
        #expect(sync.error.contains("max-body-bytes"), "the advice fits the cause: \(sync.error)")
        let held = try coordinator.ok(["held", "--json"]).objects()
        #expect(held.count == 1)
        #expect(held.first?["entity"] as? String == "too-long")
        #expect(held.first?["code"] as? String == "body_too_large")
        let reason = held.first?["reason"] as? String ?? ""
        #expect(reason.contains("4096 bytes"), "the limit is named: \(reason)")
        #expect(try coordinator.pending() == 0)

        let tablet = Device("tablet", user: "nurse.patel", in: folder)
        try tablet.initialise(site: "north", server: server, token: wardToken, replica: "ward7-tablet")
        try tablet.ok(["sync"])
        let stories = try tablet.ok(["story", "list", "--json"]).objects().compactMap { $0["id"] as? String }
        #expect(stories.sorted() == ["after", "before"])
        #expect(try tablet.ok(["measure", "list", "--json"]).objects().count == 3)
    }

    /// A primary driver, a secondary driver and the change idea "rounding" for the falls programme.
    static func defineChangeIdea(on device: Device) throws {
        try device.ok([
            "driver", "add", "safe-ward", "--programme", "falls", "--kind", "primary", "--text", "Safe ward",
        ])
        try device.ok([
            "driver", "add", "watchful", "--programme", "falls", "--kind", "secondary", "--text", "Watchful staff",
            "--parent", "safe-ward",
        ])
        try device.ok([
            "driver", "add", "rounding", "--programme", "falls", "--kind", "change", "--text", "Hourly rounding",
            "--parent", "watchful",
        ])
    }

    /// PDSA cycles with long plans and studies, in one write of the device's own store file.
    static func addCycles(_ count: Int, to path: String) throws {
        let store = try ImprovementStore(path: path)
        try store.write(author: "dr.ahmed") { writer in
            for index in 0..<count {
                try writer.save(
                    PDSACycle(
                        id: "cycle-\(index)", changeIdea: "rounding", site: "north", unit: "ward-7",
                        title: "Rounding test \(index)", plan: text(1200), prediction: text(300), doNotes: text(400)))
            }
        }
    }

    /// Text of `bytes` bytes, as a ward would write it.
    static func text(_ bytes: Int) -> String {
        let sentence = "The night team tried hourly rounding on the bays nearest the station and noted every call. "
        return String(String(repeating: sentence, count: bytes / sentence.utf8.count + 1).prefix(bytes))
    }
}
