import Foundation
import ImprovementTestSupport
import Testing

/// Wrong input is refused with a message that says what to fix, a non-zero exit code, and
/// nothing written.
@Suite("Bad input")
struct BadInputTests {
    @Test func wrongDataPointsAreRefusedAndNothingIsWritten() throws {
        let folder = try TemporaryFolder()
        let device = Device("ward", user: "nurse.patel", in: folder)
        try device.initialise(site: "north", replica: "ward")
        try device.defineProgramme()
        let pending = try device.pending()

        let cases: [([String], Int32, String)] = [
            // A date that does not exist: refused while parsing the command line.
            (
                [
                    "record", "falls-rate", "--unit", "ward-7", "--period", "2026-02-30", "--numerator", "1",
                    "--denominator", "9",
                ],
                64, "The period \"2026-02-30\" is not a date. Write dates as YYYY-MM-DD"
            ),
            (
                [
                    "record", "falls-rate", "--unit", "ward-7", "--period", "16/11/2026", "--numerator", "1",
                    "--denominator", "9",
                ],
                64, "is not a date"
            ),
            // A period that has not started.
            (
                [
                    "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(-2), "--numerator", "1",
                    "--denominator", "9",
                ],
                1, "is in the future"
            ),
            // A proportion whose numerator exceeds its denominator.
            (
                [
                    "record", "hand-hygiene", "--unit", "ward-7", "--period", Dates.week(1), "--numerator", "21",
                    "--denominator", "20",
                ],
                1, "The numerator (21) is larger than the denominator (20)"
            ),
            (
                [
                    "record", "hand-hygiene", "--unit", "ward-7", "--period", Dates.week(1), "--numerator", "-1",
                    "--denominator", "20",
                ],
                1, "cannot be negative"
            ),
            // A measure or unit the device does not know.
            (
                [
                    "record", "falls-rate-typo", "--unit", "ward-7", "--period", Dates.week(1), "--numerator", "1",
                    "--denominator", "9",
                ],
                1, "There is no measure \"falls-rate-typo\" on this device"
            ),
            (
                [
                    "record", "falls-rate", "--unit", "ward-77", "--period", Dates.week(1), "--numerator", "1",
                    "--denominator", "9",
                ],
                1, "There is no unit \"ward-77\" on this device"
            ),
            // The wrong shape for the chart, and incomplete or contradictory options.
            (
                ["record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(1), "--value", "3"],
                1, "u chart, so each data point needs a numerator and a denominator"
            ),
            (
                ["record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(1), "--numerator", "3"],
                64, "Give both --numerator and --denominator"
            ),
            (["record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(1)], 64, "Give the data point"),
            (
                ["record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(1), "--delete"],
                1, "There is no observation"
            ),
            (["unit", "add", "ward-8", "--site", "east", "--name", "Ward 8"], 1, "There is no site \"east\""),
            (["unit", "add", "ward 8", "--name", "Ward 8"], 64, "cannot be used as the unit id"),
            (["unit", "add", "ward-7", "--name", "Ward Seven"], 1, "There is already a unit \"ward-7\""),
            (
                [
                    "measure", "add", "m2", "--programme", "nope", "--name", "M", "--type", "outcome", "--chart", "q",
                    "--frequency", "week", "--direction", "up",
                ], 64, "--chart"
            ),
            (["conflicts", "resolve", "0123456789abcdef", "--keep", "loser"], 1, "There is no conflict"),
        ]
        for (arguments, status, message) in cases {
            let result = try device.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.error)")
            #expect(result.error.contains(message), "\(arguments): \(result.error)")
            #expect(result.output.isEmpty, "\(arguments) printed \(result.output)")
        }
        #expect(try device.observations().isEmpty)
        #expect(try device.pending() == pending, "nothing was written")
    }

    @Test func aDeviceThatIsNotSetUpSaysHowToSetItUp() throws {
        let folder = try TemporaryFolder()
        let unset = Device("unset", user: "nurse.patel", in: folder)
        let noStore = try unset.run(["observations"])
        #expect(noStore.status == 78 && noStore.error.contains("improve init --site SITE"))
        #expect(!FileManager.default.fileExists(atPath: unset.store), "reading never creates a store")
        let noSite = try unset.run(["init"])
        #expect(noSite.status != 0 && noSite.error.contains("improve init --site SITE"))

        try unset.initialise(site: "north", replica: "offline-only")
        try unset.ok(["site", "add", "north", "--name", "North"])
        let noServer = try unset.run(["sync"])
        #expect(noServer.status == 78)
        #expect(
            noServer.error.contains("no sync server set up")
                && noServer.error.contains("improve init --server URL --token TOKEN"))
        #expect(try unset.pending() == 1, "what was recorded stays queued")

        let badURL = try unset.run(["init", "--server", "improve.example.org"])
        #expect(badURL.status == 64 && badURL.error.contains("--server must be the server's address"))
        let noToken = try unset.run(["init", "--server", "http://127.0.0.1:9"])
        #expect(noToken.status == 0)
        let tokenMissing = try unset.run(["sync"])
        #expect(tokenMissing.status == 78 && tokenMissing.error.contains("no token"))
    }

    @Test func aRevokedTokenIsExplainedAndTheChangesStayQueued() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let token = try server.addUser("dr.ahmed", role: "coordinator", sites: ["north"])
        try server.start()
        defer { server.stop() }
        let device = Device("coordinator", user: "dr.ahmed", in: folder)
        try device.initialise(site: "north", server: server, token: token, replica: "coordinator")
        try device.ok(["site", "add", "north", "--name", "North"])
        try device.ok(["sync"])

        // A member may record data but not define wards: the server's refusal is explained.
        let memberToken = try server.addUser("nurse.patel", role: "member", sites: ["north"])
        let member = Device("member", user: "nurse.patel", in: folder)
        try member.initialise(site: "north", server: server, token: memberToken, replica: "member")
        try member.ok(["sync"])
        // Knowing its role, the device would refuse the ward at once (DeviceRulesEndToEndTests); a
        // device set up before devices learnt their role records it, and the server refuses it.
        try member.forgetRole()
        try member.ok(["unit", "add", "ward-8", "--name", "Ward 8"])
        try member.ok(["story", "add", "s1", "--kind", "staff", "--text", "Night staff like the new checklist"])
        let forbidden = try member.run(["sync"])
        #expect(forbidden.status == 77)
        #expect(forbidden.error.contains("The server refused 1 change; it was set aside"))
        #expect(forbidden.error.contains("improve held"))
        // The refused change is set aside, so it no longer blocks the queue: the story went through.
        #expect(try member.pending() == 0)
        #expect(try member.status()["heldChanges"] as? Int == 1)
        let held = try member.ok(["held", "--json"]).objects()
        #expect(
            held.count == 1 && held.first?["type"] as? String == "unit" && held.first?["code"] as? String == "forbidden"
        )
        #expect((held.first?["reason"] as? String)?.contains("only coordinators and admins change units") == true)
        try device.ok(["sync"])
        #expect(
            try device.ok(["story", "list", "--json"]).objects().count == 1, "the rest of the queue reached the server")
        // Released, it is queued again (and refused again, since the account has not changed).
        let heldID = held.first?["id"] as? String ?? ""
        try member.ok(["held", "release", heldID])
        #expect(try member.pending() == 2, "the released change and the one sent after it are queued again")
        #expect(try member.run(["sync"]).status == 77)
        #expect(try member.status()["heldChanges"] as? Int == 1)

        try server.revoke("dr.ahmed")
        try device.ok(["unit", "add", "ward-7", "--name", "Ward 7"])
        let refused = try device.run(["sync"])
        #expect(refused.status == 77)
        #expect(refused.error.contains("did not accept this device's token"))
        #expect(refused.error.contains("improve init --token NEW-TOKEN"))
        #expect(refused.error.contains("kept on this device"))
        #expect(!refused.error.contains(token), "the token is never printed")
        #expect(try device.pending() == 1)

        // A new token, saved with init, sends what waited.
        let renewed = try server.addUser("dr.ahmed.2", role: "coordinator", sites: ["north"])
        try device.ok(["init", "--token", renewed])
        try device.ok(["sync"])
        #expect(try device.pending() == 0)
    }

    @Test func settingsAreKeptNextToTheStoreReadableByTheOwnerOnly() throws {
        let folder = try TemporaryFolder()
        let device = Device("ward", user: "nurse.patel", in: folder)
        try device.initialise(site: "north", replica: "ward")
        try device.ok([
            "init", "--server", "https://improve.example.org", "--token", "imp_secret", "--user", "sister.okafor",
        ])
        let config = device.store + ".config.json"
        let attributes = try FileManager.default.attributesOfItem(atPath: config)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let settings = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as? [String: Any])
        #expect(settings["site"] as? String == "north" && settings["token"] as? String == "imp_secret")
        #expect(settings["user"] as? String == "sister.okafor")

        let status = try device.status()
        for key in ["replica", "store", "site", "server", "pendingChanges", "lastSync", "openConflicts", "pullCursor"] {
            #expect(status.keys.contains(key), "status --json has \(key)")
        }
        #expect(status["lastSync"] is NSNull && status["pendingChanges"] as? Int == 0)
        #expect(status["store"] as? String == device.store)
        #expect(!(try device.ok(["status", "--json"]).output.contains("imp_secret")))

        // The author: --as, else IMPROVE_USER, else the configured user.
        try device.ok(["site", "add", "north", "--name", "North", "--as", "dr.ahmed"])
        try device.ok(["unit", "add", "ward-7", "--name", "Ward 7"])
        let unconfigured = try device.run(
            ["unit", "add", "ward-8", "--name", "Ward 8"], environment: ["IMPROVE_USER": ""])
        #expect(unconfigured.status == 0)
        let authors = try ["site north", "unit ward-7", "unit ward-8"].map { record -> String in
            let parts = record.split(separator: " ").map(String.init)
            let history = try device.ok(["history", parts[0], parts[1], "--json"]).objects()
            return history.first?["author"] as? String ?? ""
        }
        #expect(authors == ["dr.ahmed", "nurse.patel", "sister.okafor"])
    }
}
