import Foundation
import ImprovementTestSupport
import Testing

/// The whole flow against a real server: a coordinator defines the programme, three ward devices
/// on two sites record offline, sync in different orders, converge, see only their own sites,
/// and a conflict reaches the coordinator, whose decision reaches the wards.
@Suite("improve sync, end to end")
struct SyncEndToEndTests {
    @Test func wardsConvergeAndTheCoordinatorSettlesTheConflict() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let coordinatorToken = try server.addUser("dr.ahmed", role: "coordinator", sites: ["north", "south"])
        let tabletToken = try server.addUser("nurse.patel", role: "member", sites: ["north"])
        let laptopToken = try server.addUser("sister.okafor", role: "member", sites: ["north"])
        let southToken = try server.addUser("nurse.jones", role: "member", sites: ["south"])
        try server.start()
        defer { server.stop() }

        // A coordinator defines sites, units, a programme and measures, and syncs.
        let coordinator = Device("coordinator", user: "dr.ahmed", in: folder)
        try coordinator.initialise(site: "north", server: server, token: coordinatorToken, replica: "coordinator")
        try coordinator.defineProgramme()
        try coordinator.ok(["sync"])
        #expect(try coordinator.pending() == 0)

        // Two ward devices of north and one of south set up and receive the definitions.
        let tablet = Device("tablet", user: "nurse.patel", in: folder)
        let laptop = Device("laptop", user: "sister.okafor", in: folder)
        let south = Device("south", user: "nurse.jones", in: folder)
        try tablet.initialise(site: "north", server: server, token: tabletToken, replica: "ward7-tablet")
        try laptop.initialise(site: "north", server: server, token: laptopToken, replica: "ward7-laptop")
        try south.initialise(site: "south", server: server, token: southToken, replica: "ward9-tablet")
        for device in [tablet, laptop, south] { try device.ok(["sync"]) }
        #expect(
            try ids(tablet.ok(["measure", "list", "--json"])) == ["falls-rate", "hand-hygiene", "staff-confidence"])

        // Each device sees only its own sites.
        #expect(try ids(tablet.ok(["site", "list", "--json"])) == ["north"])
        #expect(try ids(tablet.ok(["unit", "list", "--json"])) == ["ward-7"])
        #expect(try ids(south.ok(["site", "list", "--json"])) == ["south"])
        #expect(try ids(south.ok(["unit", "list", "--json"])) == ["ward-9"])

        // Round 1, offline: the same week of the same measure with different numerators on the
        // tablet and the laptop (the laptop gives a Wednesday of that week). The tablet syncs first.
        let week3 = Dates.week(3)
        let week2 = Dates.week(2)
        try tablet.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", week3, "--numerator", "2", "--denominator", "400",
        ])
        try tablet.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", week2, "--numerator", "3", "--denominator", "410",
        ])
        try laptop.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(2, plus: 2), "--numerator", "4",
            "--denominator", "410", "--note", "one fall found on the night report",
        ])
        try south.ok([
            "record", "falls-rate", "--unit", "ward-9", "--period", week2, "--numerator", "1", "--denominator", "300",
        ])
        for device in [tablet, laptop, south, tablet] { try device.ok(["sync"]) }

        // Round 2, offline again: the other order, the laptop syncs first.
        let week1 = Dates.week(1)
        try tablet.ok([
            "record", "hand-hygiene", "--unit", "ward-7", "--period", week1, "--numerator", "18", "--denominator", "20",
        ])
        try laptop.ok([
            "record", "hand-hygiene", "--unit", "ward-7", "--period", week1, "--numerator", "17", "--denominator", "20",
        ])
        try laptop.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", week1, "--numerator", "1", "--denominator", "405",
        ])
        for device in [laptop, tablet, laptop, south, coordinator] { try device.ok(["sync"]) }

        // Everyone converges: the two north devices hold the very same observations...
        let tabletView = try tablet.observations()
        #expect(tabletView.count == 4)
        #expect(try canonical(tabletView) == canonical(try laptop.observations()))
        #expect(tabletView.allSatisfy { $0["site"] as? String == "north" })
        // ...the coordinator holds them too, and south's...
        #expect(try canonical(try coordinator.observations(["--site", "north"])) == canonical(tabletView))
        let southView = try south.observations()
        #expect(southView.count == 1 && southView.allSatisfy { $0["site"] as? String == "south" })
        #expect(try canonical(try coordinator.observations(["--site", "south"])) == canonical(southView))
        // ...and one week recorded on two devices is one data point, never two.
        let entity = "falls-rate/ward-7/\(week2)"
        #expect(tabletView.filter { $0["id"] as? String == entity }.count == 1)

        // The conflict reached the coordinator, one entry for the record, with both versions whole.
        let open = try coordinator.conflicts()
        let conflict = try #require(open.first { $0["entity"] as? String == entity })
        #expect(conflict["fields"] as? [String] == ["note", "numerator"], "recordedBy is no conflict of its own")
        let winner = try #require(conflict["winner"] as? [String: Any])
        let loser = try #require(conflict["loser"] as? [String: Any])
        let winnerValues = try #require(winner["values"] as? [String: Any])
        let loserValues = try #require(loser["values"] as? [String: Any])
        #expect(Set([winnerValues["numerator"] as? Int, loserValues["numerator"] as? Int]) == [3, 4])
        #expect(Set([winner["author"] as? String, loser["author"] as? String]) == ["nurse.patel", "sister.okafor"])
        #expect(Set([winner["replica"] as? String, loser["replica"] as? String]) == ["ward7-tablet", "ward7-laptop"])
        #expect(conflict["type"] as? String == "observation" && conflict["site"] as? String == "north")
        #expect(conflict["resolved"] as? Bool == false && conflict["kind"] as? String == "edit")
        let conflictID = try #require(conflict["id"] as? String)
        // Every replica holding the same changes shows the same conflicts.
        #expect(try canonical(try tablet.conflicts()) == canonical(try laptop.conflicts()))
        #expect(try tablet.conflicts().contains { $0["id"] as? String == conflictID })

        // The coordinator keeps the loser; the decision reaches the wards.
        let loserValue = try #require(loserValues["numerator"] as? Int)
        let resolved = try coordinator.ok(["conflicts", "resolve", conflictID, "--keep", "loser"])
        #expect(resolved.output.contains("Kept note") && resolved.output.contains("numerator \(loserValue)"))
        for device in [coordinator, tablet, laptop] { try device.ok(["sync"]) }
        for device in [coordinator, tablet, laptop] {
            let point = try #require(try device.observations().first { $0["id"] as? String == entity })
            #expect(point["numerator"] as? Int == loserValue, "the loser's value is back on \(device.user)'s device")
            #expect(
                !(try device.conflicts()).contains { $0["id"] as? String == conflictID }, "settled, so no longer open")
            let settled = try #require(try device.conflicts(all: true).first { $0["id"] as? String == conflictID })
            #expect(settled["resolved"] as? Bool == true && settled["resolution"] as? String == "loser")
        }
        #expect(try canonical(try tablet.observations()) == canonical(try laptop.observations()))
        #expect(try canonical(try tablet.conflicts(all: true)) == canonical(try laptop.conflicts(all: true)))

        // The status of a device that has exchanged everything.
        let status = try tablet.status()
        #expect(status["pendingChanges"] as? Int == 0 && status["site"] as? String == "north")
        #expect(status["server"] as? String == server.url && status["replica"] as? String == "ward7-tablet")
        #expect(status["lastSync"] is String && (status["pullCursor"] as? Int ?? 0) > 0)
        #expect(status["openConflicts"] as? Int == (try tablet.conflicts()).count)
    }

    private func ids(_ result: CommandResult) throws -> [String] {
        try result.objects().compactMap { $0["id"] as? String }
    }
}
