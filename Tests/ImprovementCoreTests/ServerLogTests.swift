import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// What a device does with the change-log id servers answer with (Protocol/README.md section 8.5).
@Suite("Server change-log id")
struct ServerLogTests {
    @Test func aNewLogIdMakesEveryOwnChangeUnsentAndPullsStartOver() throws {
        let store = try ImprovementStore(path: nil, options: StoreOptions(replica: "ward-a"))
        try store.write(author: "nurse") { writer in
            try writer.save(Site(id: "north", name: "North"))
            try writer.save(Site(id: "south", name: "South"))
        }
        // Another replica's change, pulled: never this device's to resend.
        let foreign = Change(
            id: ChangeID.random(millis: 1_780_315_200_000), replica: "ward-b", type: "site", entity: "east", site: nil,
            hlc: HLC(millis: 1_780_315_200_000, counter: 0, replica: "ward-b"), author: "someone",
            fields: ["name": .text("East")], base: ["name": nil])
        try store.applyPulled([foreign], cursor: 40)
        try store.markPushed(through: try store.lastSequence())
        #expect(try store.pendingCount() == 0)

        #expect(try store.noteServerLog("log-1") == false, "the first id is only noted")
        #expect(try store.pendingCount() == 0 && store.pullCursor() == 40)
        #expect(try store.noteServerLog("log-1") == false)
        #expect(try store.noteServerLog("log-2") == true)
        #expect(try store.pendingCount() == 2, "both own changes, not the pulled one")
        #expect(try store.pullCursor() == 0)
        #expect(try store.noteServerLog("log-2") == false)
    }
}
