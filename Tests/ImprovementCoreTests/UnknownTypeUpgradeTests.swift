import Foundation
import GRDB
import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// Protocol §5 and §13: a replica stores and relays changes of a record type it does not know,
/// and merges them once it learns the type. Here a device receives "checklist" changes it has no
/// table for, relays them, and a later version's migration (a table plus a backfill from the
/// change log) materialises the record, conflicts and all, from what the device already held.
struct UnknownTypeUpgradeTests {
    static let checklist = EntityType(
        name: "checklist", table: "checklist", fields: [.text("site"), .text("title"), .number("score")],
        scope: .siteField, immutable: ["site"], writers: .members("checklists"))

    func change(_ id: String, replica: String, millis: Int64, fields: FieldMap, base: [String: HLC?] = [:]) -> Change {
        Change(
            id: id, replica: replica, type: "checklist", entity: "night-round", site: "north",
            hlc: HLC(millis: millis, counter: 0, replica: replica), author: "nurse.\(replica)", fields: fields,
            base: base)
    }

    @Test func aRelayedUnknownTypeIsMaterialisedByTheMigrationThatTeachesIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unknown-type-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("device.sqlite").path
        let options = StoreOptions(replica: "device", clock: ManualClock().physical, utcOffsetSeconds: 0)

        // Two devices wrote the checklist without seeing each other: a conflict on score.
        let first = change(
            "c1", replica: "ward-a", millis: TestDates.noon2026June1 - 60_000,
            fields: ["site": .text("north"), "title": .text("Night round"), "score": .number(7)])
        let second = change(
            "c2", replica: "ward-b", millis: TestDates.noon2026June1 - 30_000, fields: ["score": .number(9)])
        do {
            let old = try ImprovementStore(path: path, options: options, extraMigrations: [])
            try old.apply([first, second])
            // Relayed untouched: both changes are in the log, to be pulled by anyone.
            let relayed = try old.allChanges().filter { $0.type == "checklist" }
            #expect(Set(relayed.map(\.id)) == ["c1", "c2"])
        }

        let learn = ExtraMigration(identifier: "test-checklist") { db in
            try db.execute(
                sql: """
                    CREATE TABLE checklist (
                        id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, versions TEXT NOT NULL,
                        site TEXT, title TEXT, score REAL
                    ) WITHOUT ROWID
                    """)
            try RecordDerivation.rederiveAll(db, types: [Self.checklist])
        }
        let upgraded = try ImprovementStore(path: path, options: options, extraMigrations: [learn])
        let row = try upgraded.read { db in
            try Row.fetchOne(db, sql: "SELECT site, title, score, deleted FROM checklist WHERE id = 'night-round'")
        }
        #expect(row?["site"] as String? == "north")
        #expect(row?["title"] as String? == "Night round")
        #expect(row?["score"] as Double? == 9, "the later write wins")
        #expect(row?["deleted"] as Int? == 0)
        let conflicts = try upgraded.conflicts(includeResolved: true).filter { $0.type == "checklist" }
        #expect(conflicts.count == 1 && conflicts.first?.loser.value == .number(7), "the overwritten 7 is kept")
    }
}
