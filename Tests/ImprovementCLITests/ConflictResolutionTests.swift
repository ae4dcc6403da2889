import Foundation
import ImprovementTestSupport
import Testing

/// Conflicts per record, settled as one decision, against a real server with the real binaries:
/// a member's attempt changes nothing for anyone else, a coordinator's decision settles the whole
/// record on every device, and `--all` settles many disputed weeks in one command.
@Suite("improve conflicts, per record, end to end")
struct ConflictResolutionTests {
    @Test func decisionsSettleWholeRecordsOnEveryDeviceAndOnlyCoordinatorsMakeThem() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let coordinatorToken = try server.addUser("dr.ahmed", role: "coordinator", sites: ["north", "south"])
        let tabletToken = try server.addUser("nurse.patel", role: "member", sites: ["north"])
        let laptopToken = try server.addUser("sister.okafor", role: "member", sites: ["north"])
        try server.start()
        defer { server.stop() }

        let coordinator = Device("coordinator", user: "dr.ahmed", in: folder)
        try coordinator.initialise(site: "north", server: server, token: coordinatorToken, replica: "coordinator")
        try coordinator.defineProgramme()
        try coordinator.ok(["sync"])
        let tablet = Device("tablet", user: "nurse.patel", in: folder)
        let laptop = Device("laptop", user: "sister.okafor", in: folder)
        try tablet.initialise(site: "north", server: server, token: tabletToken, replica: "ward7-tablet")
        try laptop.initialise(site: "north", server: server, token: laptopToken, replica: "ward7-laptop")
        for device in [tablet, laptop] { try device.ok(["sync"]) }

        // Offline, the two ward devices record the same five weeks and one hand-hygiene week
        // differently. The laptop records last, so its versions win.
        let weeks = (1...5).map { Dates.week($0) }
        for week in weeks {
            try tablet.ok([
                "record", "falls-rate", "--unit", "ward-7", "--period", week, "--numerator", "2", "--denominator",
                "400",
                "--note", "two falls, one at night",
            ])
        }
        try tablet.ok([
            "record", "hand-hygiene", "--unit", "ward-7", "--period", weeks[0], "--numerator", "18", "--denominator",
            "20",
        ])
        for week in weeks {
            try laptop.ok([
                "record", "falls-rate", "--unit", "ward-7", "--period", week, "--numerator", "4", "--denominator",
                "400",
            ])
        }
        try laptop.ok([
            "record", "hand-hygiene", "--unit", "ward-7", "--period", weeks[0], "--numerator", "17", "--denominator",
            "20",
            "--note", "audit by the matron",
        ])
        for device in [tablet, laptop, tablet, coordinator] { try device.ok(["sync"]) }

        // One entry per record: two fields differ, "recorded by" is no conflict of its own.
        let entries = try coordinator.conflicts()
        #expect(entries.count == 6)
        for entry in entries {
            #expect(entry["fields"] as? [String] == ["note", "numerator"])
            let winner = try #require(entry["winner"] as? [String: Any])
            let loser = try #require(entry["loser"] as? [String: Any])
            #expect(winner["replica"] as? String == "ward7-laptop" && loser["replica"] as? String == "ward7-tablet")
            #expect((loser["values"] as? [String: Any])?["recordedBy"] as? String == "nurse.patel")
            #expect((winner["values"] as? [String: Any])?["recordedBy"] as? String == "sister.okafor")
        }
        #expect(try canonical(tablet.conflicts()) == canonical(coordinator.conflicts()), "the same ids everywhere")
        let hygiene = try #require(entries.first { ($0["entity"] as? String)?.hasPrefix("hand-hygiene/") == true })
        let hygieneID = try #require(hygiene["id"] as? String)
        let hygieneEntity = try #require(hygiene["entity"] as? String)
        let listed = try coordinator.ok(["conflicts"]).output
        #expect(listed.contains("recorded by nurse.patel on ward7-tablet") && listed.contains("same on both:"))

        // A member tries to settle one: the device refuses the decision and the values it would put
        // back at once (the server would refuse both too), so nothing changes for anyone.
        let pendingBefore = try tablet.pending()
        let attempt = try tablet.run(["conflicts", "resolve", hygieneID, "--keep", "loser"])
        #expect(attempt.status == 77 && attempt.error.contains("conflict resolutions"), "\(attempt.error)")
        #expect(try tablet.pending() == pendingBefore, "nothing was logged")
        for device in [tablet, laptop, coordinator] { try device.ok(["sync"]) }
        for device in [tablet, laptop, coordinator] {
            let open = try #require(try device.conflicts().first { $0["id"] as? String == hygieneID })
            #expect(open["resolved"] as? Bool == false, "still open on \(device.user)'s device")
        }
        let everything = try coordinator.conflicts(all: true)
        #expect(everything.contains { $0["id"] as? String == hygieneID && $0["resolved"] as? Bool == false })
        let untouched = try #require(try laptop.observations().first { $0["id"] as? String == hygieneEntity })
        #expect(untouched["numerator"] as? Int == 17 && untouched["recordedBy"] as? String == "sister.okafor")

        // The coordinator keeps the tablet's hand-hygiene version: numerator, note and "recorded by"
        // all come from it, on every device.
        let kept = try coordinator.ok(["conflicts", "resolve", hygieneEntity, "--keep", "loser"])
        #expect(kept.output.contains("recorded by nurse.patel") && kept.output.contains("2 fields settled"))
        for device in [coordinator, laptop, tablet, coordinator] { _ = try device.run(["sync"]) }
        for device in [coordinator, laptop, tablet] {
            let point = try #require(try device.observations().first { $0["id"] as? String == hygieneEntity })
            #expect(point["numerator"] as? Int == 18, "\(device.user)")
            #expect(point["note"] is NSNull, "\(device.user)")
            #expect(point["recordedBy"] as? String == "nurse.patel", "\(device.user)")
        }
        for device in [coordinator, laptop] {
            #expect(try device.conflicts().count == 5, "only the five falls weeks are open on \(device.user)'s device")
            let settled = try #require(try device.conflicts(all: true).first { $0["id"] as? String == hygieneID })
            #expect(settled["resolution"] as? String == "loser")
        }

        // Five disputed weeks in one command.
        let many = try coordinator.ok(["conflicts", "resolve", "--all", "--measure", "falls-rate", "--keep", "loser"])
        #expect(many.output.contains("Settled 5 records (10 fields)"))
        let none = try coordinator.run(["conflicts", "resolve", "--all", "--measure", "falls-rate", "--keep", "loser"])
        #expect(none.status == 1 && none.error.contains("Nothing was saved"))
        for device in [coordinator, laptop, tablet, coordinator, laptop] { _ = try device.run(["sync"]) }
        for device in [coordinator, laptop] {
            #expect(try device.conflicts().isEmpty, "nothing left open on \(device.user)'s device")
            let falls = try device.observations(["--measure", "falls-rate"])
            #expect(falls.count == 5)
            for point in falls {
                #expect(point["numerator"] as? Int == 2 && point["note"] as? String == "two falls, one at night")
                #expect(point["recordedBy"] as? String == "nurse.patel")
            }
        }
        #expect(try canonical(laptop.observations()) == canonical(coordinator.observations(["--site", "north"])))
    }
}
