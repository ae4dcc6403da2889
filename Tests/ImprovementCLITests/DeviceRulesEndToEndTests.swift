import Foundation
import ImprovementTestSupport
import Testing

/// The device knows its account's rules (learnt from the real server) and refuses at once what
/// the server would refuse; a change the server refused can be discarded and undone.
@Suite("Device rules and held changes, end to end")
struct DeviceRulesEndToEndTests {
    /// A server with a coordinator of north and south who has defined the programme and synced.
    static func serverWithProgramme(in folder: TemporaryFolder) throws -> (TestServer, Device) {
        let server = try TestServer(in: folder)
        let token = try server.addUser("dr.ahmed", role: "coordinator", sites: ["north", "south"])
        try server.start()
        let coordinator = Device("coordinator", user: "dr.ahmed", in: folder)
        try coordinator.initialise(site: "north", server: server, token: token, replica: "coordinator")
        try coordinator.defineProgramme()
        try coordinator.ok(["sync"])
        return (server, coordinator)
    }

    static func unitIDs(_ device: Device) throws -> [String] {
        try device.ok(["unit", "list", "--json"]).objects().compactMap { $0["id"] as? String }.sorted()
    }

    @Test func aMemberIsRefusedOnTheDeviceAtOnceAndTheSyncSendsNothingBad() throws {
        let folder = try TemporaryFolder()
        let (server, coordinator) = try Self.serverWithProgramme(in: folder)
        defer { server.stop() }
        let token = try server.addUser("nurse.patel", role: "member", sites: ["north"])
        let member = Device("member", user: "nurse.patel", in: folder)
        let setUp = try member.ok([
            "init", "--site", "north", "--replica", "member", "--server", server.url, "--token", token,
        ])
        #expect(setUp.output.contains("Account:  nurse.patel, member for site north"), "\(setUp.output)")
        let status = try member.status()
        #expect(status["role"] as? String == "member" && status["sites"] as? [String] == ["north"])
        try member.ok(["sync"])

        let ward = try member.run(["unit", "add", "ward-8", "--name", "Ward 8"])
        #expect(ward.status == 77)
        #expect(ward.error.contains("The unit ward-8 was refused: only coordinators and admins change units"))
        #expect(ward.error.contains("member for site north") && ward.error.hasSuffix("Nothing was saved.\n"))
        // (Records of other sites never reach a member's device, so it cannot name them: the
        // rules for other sites are checked by RuleAgreementTests.)
        let refused: [[String]] = [
            ["site", "add", "east", "--name", "East Hospital"],
            ["programme", "add", "sepsis", "--name", "Sepsis", "--aim", "Antibiotics within one hour for 95%"],
            ["unit", "add", "ward-7", "--name", "Ward Seven", "--replace"],
        ]
        for arguments in refused {
            let result = try member.run(arguments)
            #expect(result.status == 77 && result.error.contains("Nothing was saved."), "\(arguments): \(result.error)")
        }
        #expect(try member.pending() == 0, "nothing refused reached the change log")
        #expect(try Self.unitIDs(member) == ["ward-7"])

        try member.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(1), "--numerator", "2", "--denominator",
            "300",
        ])
        try member.ok(["story", "add", "s2", "--kind", "staff", "--text", "Night staff like the new checklist"])
        #expect(try member.pending() == 2)
        let sync = try #require(try member.ok(["sync", "--json"]).json() as? [String: Any])
        #expect(sync["sent"] as? Int == 2 && sync["held"] as? Int == 0)
        #expect(try member.ok(["held", "--json"]).objects().isEmpty)
        try coordinator.ok(["sync"])
        #expect(try coordinator.observations().count == 1)
        #expect(try Self.unitIDs(coordinator) == ["ward-7", "ward-9"])

        // A viewer reads and is refused every write, with the server's words.
        let viewerToken = try server.addUser("auditor", role: "viewer", sites: ["north"])
        let viewer = Device("viewer", user: "auditor", in: folder)
        try viewer.ok([
            "init", "--site", "north", "--replica", "viewer", "--server", server.url, "--token", viewerToken,
        ])
        try viewer.ok(["sync"])
        #expect(try viewer.observations().count == 1)
        let story = try viewer.run(["story", "add", "s3", "--kind", "staff", "--text", "x"])
        #expect(story.status == 77 && story.error.contains("a viewer account can read but not send changes"))
        #expect(try viewer.pending() == 0)
    }

    @Test func aDeviceOfflineAtSetUpWritesAsBeforeAndLearnsItsRoleLater() throws {
        let folder = try TemporaryFolder()
        let (server, _) = try Self.serverWithProgramme(in: folder)
        defer { server.stop() }
        let token = try server.addUser("nurse.patel", role: "member", sites: ["north"])
        let member = Device("member", user: "nurse.patel", in: folder)
        // Port 9 (discard) refuses connections here: the server cannot be asked.
        let offline = try member.run([
            "init", "--site", "north", "--replica", "member", "--server", "http://127.0.0.1:9", "--token", token,
        ])
        #expect(offline.status == 0)
        #expect(offline.error.contains("Could not ask the server for this device's role and sites"))
        #expect(try member.status()["role"] is NSNull)
        #expect(try member.ok(["status"]).output.contains("role not known yet"))

        try member.ok(["init", "--server", server.url])
        #expect(try member.status()["role"] as? String == "member", "a new server address is asked again")
        try member.forgetRole()
        try member.ok(["sync"])
        #expect(try member.status()["role"] as? String == "member", "every sync asks again")
        #expect(try member.ok(["status"]).output.contains("nurse.patel, member for site north"))
    }

    @Test func aHeldChangeIsDiscardedAndItsEffectUndone() throws {
        let folder = try TemporaryFolder()
        let (server, coordinator) = try Self.serverWithProgramme(in: folder)
        defer { server.stop() }
        let token = try server.addUser("nurse.patel", role: "member", sites: ["north"])
        let member = Device("member", user: "nurse.patel", in: folder)
        try member.initialise(site: "north", server: server, token: token, replica: "member")
        try member.ok(["sync"])
        // A device set up before devices learnt their role: the server alone judges its changes.
        try member.forgetRole()
        try member.ok(["unit", "add", "ward-7", "--name", "Ward Seven", "--replace"])
        try member.ok(["unit", "add", "ward-8", "--name", "Ward 8"])
        try member.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(1), "--numerator", "2", "--denominator",
            "300",
        ])
        // What the issue saw: an old device also records on the ward it added (the server accepts that).
        try member.ok([
            "record", "falls-rate", "--unit", "ward-8", "--period", Dates.week(1), "--numerator", "1", "--denominator",
            "250",
        ])
        let refused = try member.run(["sync"])
        #expect(refused.status == 77 && refused.error.contains("The server refused 2 changes"))
        let held = try member.ok(["held", "--json"]).objects()
        #expect(held.map { $0["entity"] as? String } == ["ward-7", "ward-8"])
        #expect(try member.pending() == 0)

        let renamed = try #require(held.first?["id"] as? String)
        let undone = try member.ok(["held", "discard", renamed])
        #expect(undone.output.contains("Discarded \(renamed): unit ward-7."))
        #expect(undone.output.contains("name: \"Ward Seven\" → \"Ward 7\""), "\(undone.output)")
        let ward7 = try #require(try member.ok(["unit", "show", "ward-7", "--json"]).json() as? [String: Any])
        #expect(ward7["name"] as? String == "Ward 7")

        let rest = try member.ok(["held", "discard", "--all"])
        #expect(rest.output.contains("unit ward-8 is gone from this device"), "\(rest.output)")
        #expect(rest.error.contains("1 data point is recorded on this device for unit ward-8, which no longer exists"))
        #expect(try Self.unitIDs(member) == ["ward-7"])
        #expect(try member.ok(["held", "--json"]).objects().isEmpty)
        #expect(try member.status()["heldChanges"] as? Int == 0)
        #expect(try member.pending() == 0)

        let unknown = try member.run(["held", "discard", "no-such-change"])
        #expect(unknown.status == 1 && unknown.error.contains("There is no held change \"no-such-change\""))
        #expect(try member.run(["held", "discard"]).status == 64)

        let again = try #require(try member.ok(["sync", "--json"]).json() as? [String: Any])
        #expect(again["sent"] as? Int == 0 && again["held"] as? Int == 0)
        try coordinator.ok(["sync"])
        #expect(try coordinator.observations(["--unit", "ward-7"]).count == 1)
        let onServer = try #require(try coordinator.ok(["unit", "show", "ward-7", "--json"]).json() as? [String: Any])
        #expect(onServer["name"] as? String == "Ward 7")
        #expect(try Self.unitIDs(coordinator) == ["ward-7", "ward-9"])
    }
}

extension Device {
    /// Removes what the device learnt about its account, as on a device set up before devices
    /// asked the server for their role.
    func forgetRole() throws {
        let url = URL(fileURLWithPath: store + ".config.json")
        guard var settings = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw TestFailure("unreadable settings")
        }
        for key in ["account", "role", "sites"] { settings[key] = nil }
        try JSONSerialization.data(withJSONObject: settings).write(to: url)
    }
}
