import Foundation
import ImprovementCore
import Testing

@Suite("Store and change log")
struct StoreTests {
    let week = Day("2026-05-25")!

    @Test func everyWriteAppendsAChangeInTheSameTransaction() throws {
        let store = try ImprovementStore.inMemory(replica: "device")
        try store.addFallsProgramme()
        let before = try store.lastSequence()
        try store.write(author: "nurse.jones") { writer in
            try writer.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-7", period: week, numerator: 2, denominator: 310))
        }
        let logged = try store.changes(after: before)
        #expect(logged.count == 1)
        let change = try #require(logged.first?.change)
        #expect(change.type == "observation")
        #expect(change.entity == "falls-rate/ward-7/2026-05-25")
        #expect(change.site == "north")
        #expect(change.author == "nurse.jones")
        #expect(change.replica == "device" && change.hlc.replica == "device")
        #expect(change.fields["numerator"] == .number(2) && change.fields["value"] == .null)
        #expect(change.base.isEmpty, "a first write saw no earlier version")

        // A failing write in the same transaction takes its earlier changes with it.
        #expect(throws: ValidationError.self) {
            try store.write(author: "nurse.jones") { writer in
                try writer.record(
                    ObservationEntry(
                        measure: "falls-rate", unit: "ward-9", period: week, numerator: 1, denominator: 290))
                try writer.record(
                    ObservationEntry(measure: "falls-rate", unit: "ward-9", period: week, numerator: 1, denominator: 0))
            }
        }
        #expect(try store.lastSequence() == before + 1)
        #expect(try store.observations(ObservationQuery(unit: "ward-9")).isEmpty)
    }

    @Test func anEditLogsOnlyTheChangedFieldsWithTheVersionItSaw() throws {
        let store = try ImprovementStore.inMemory(replica: "device")
        try store.addFallsProgramme()
        let first = try store.write(author: "a") { writer in
            try writer.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-7", period: week, numerator: 2, denominator: 310))
        }
        let created = try store.history(of: .observation, id: first.id)
        try store.write(author: "b") { writer in
            try writer.record(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-7", period: week, numerator: 3, denominator: 310,
                    note: "late report"))
        }
        let history = try store.history(of: .observation, id: first.id)
        #expect(history.count == 2)
        let edit = history[1].change
        #expect(Set(edit.fields.keys) == ["numerator", "note", "recordedBy"])
        #expect(edit.base["numerator"] == .some(created[0].change.hlc))
        // Saving the same values again changes nothing and logs nothing.
        let sequence = try store.lastSequence()
        try store.write(author: "b") { writer in
            try writer.record(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-7", period: week, numerator: 3, denominator: 310,
                    note: "late report"))
        }
        #expect(try store.lastSequence() == sequence)
    }

    @Test func aDeleteLeavesATombstoneThatCanBeRecordedAgain() throws {
        let store = try ImprovementStore.inMemory(replica: "device")
        try store.addFallsProgramme()
        try store.write(author: "a") { writer in
            try writer.record(ObservationEntry(measure: "sedation", unit: "ward-7", period: week, value: 4))
        }
        let deletion = try store.write(author: "a") { writer in
            try writer.deleteObservation(measure: "sedation", unit: "ward-7", period: week)
        }
        #expect(deletion.isDelete)
        #expect(deletion.base.count >= 9, "a delete names every field version it saw")
        #expect(try store.observations(ObservationQuery(measure: "sedation")).isEmpty)
        let tombstone = try #require(try store.mergedState(of: .observation, id: "sedation/ward-7/2026-05-01"))
        #expect(tombstone.fields["_deleted"] == .bool(true))
        #expect(tombstone.fields["value"] == .number(4), "a tombstone keeps its values")
        #expect(throws: StoreError.notFound(type: "observation", id: "sedation/ward-7/2026-05-01")) {
            try store.write(author: "a") { try $0.deleteObservation(measure: "sedation", unit: "ward-7", period: week) }
        }
        try store.write(author: "a") { writer in
            try writer.record(ObservationEntry(measure: "sedation", unit: "ward-7", period: week, value: 5))
        }
        #expect(try store.observations(ObservationQuery(measure: "sedation")).map(\.value) == [5])
    }

    @Test func pendingChangesAreThisReplicasUnacknowledgedOnes() throws {
        let store = try ImprovementStore.inMemory(replica: "device")
        try store.addFallsProgramme()
        let definitions = try store.pendingChanges(limit: 1000)
        #expect(definitions.count == 10)
        try store.markPushed(through: definitions.last!.seq)
        #expect(try store.pendingCount() == 0)

        let peer = try ImprovementStore.inMemory(replica: "peer")
        try peer.apply(try store.allChanges())
        try peer.write(author: "b") { writer in
            try writer.record(ObservationEntry(measure: "sedation", unit: "ward-9", period: week, value: 1))
        }
        try store.apply(try peer.allChanges())  // received changes are never pending
        try store.write(author: "a") { writer in
            try writer.record(ObservationEntry(measure: "sedation", unit: "ward-7", period: week, value: 2))
        }
        let pending = try store.pendingChanges()
        #expect(pending.map(\.change.entity) == ["sedation/ward-7/2026-05-01"])
        #expect(try store.pendingCount() == 1)
        try store.markPushed(through: pending[0].seq - 1)  // an older acknowledgement changes nothing
        #expect(try store.pendingCount() == 1)
    }

    @Test func applyingTheSameChangesAgainChangesNothing() throws {
        let source = try ImprovementStore.inMemory(replica: "source")
        try source.addFallsProgramme()
        let changes = try source.allChanges()
        let target = try ImprovementStore.inMemory(replica: "target")
        let first = try target.apply(changes)
        #expect(first.applied.count == changes.count && first.duplicates.isEmpty)
        let sequence = try target.lastSequence()
        let again = try target.apply(changes.reversed())
        #expect(again.applied.isEmpty && again.duplicates.count == changes.count)
        #expect(try target.lastSequence() == sequence)
        #expect(try target.records(Measure.self).count == 4)
    }

    @Test func aBadChangeRejectsItsWholeBatch() throws {
        let source = try ImprovementStore.inMemory(replica: "source")
        try source.addFallsProgramme()
        var changes = try source.allChanges()
        var bad = changes[3]
        bad.id = "bad-one"
        bad.fields = ["name": .number(12)]  // a number where the name's text belongs
        changes.append(bad)
        let target = try ImprovementStore.inMemory(replica: "target")
        #expect {
            try target.apply(changes)
        } throws: { error in
            String(describing: error).contains("Change bad-one was refused and nothing in its batch was applied")
        }
        #expect(try target.lastSequence() == 0)
        #expect(try target.records(Site.self).isEmpty)
    }

    @Test func changesOfUnknownTypesAndFieldsAreKeptForLaterVersions() throws {
        let target = try ImprovementStore.inMemory(replica: "target")
        let clock = HLC(millis: TestDates.noon2026June1 - 1000, counter: 0, replica: "newer")
        let future = Change(
            id: "c1", replica: "newer", type: "attachment", entity: "a1", site: "north", hlc: clock, author: "x",
            fields: ["hash": .text("abc")], base: [:])
        var site = future
        site.id = "c2"
        site.type = "site"
        site.entity = "east"
        site.fields = ["name": .text("East"), "colour": .text("blue")]
        try target.apply([future, site])
        #expect(try target.allChanges().count == 2)
        #expect(try target.record(Site.self, id: "east")?.name == "East")
        #expect(try target.allChanges().first { $0.id == "c2" }?.fields["colour"] == .text("blue"))
    }

    @Test func observationsAreQueriedByMeasureUnitSiteAndDates() throws {
        let store = try ImprovementStore.inMemory(replica: "device")
        try store.addFallsProgramme()
        try store.write(author: "a") { writer in
            for weekOffset in 0..<6 {
                for unit in ["ward-7", "ward-9", "ward-s1"] {
                    try writer.record(
                        ObservationEntry(
                            measure: "falls-rate", unit: unit, period: week.adding(days: -7 * weekOffset),
                            numerator: Double(weekOffset), denominator: 300))
                }
                try writer.record(
                    ObservationEntry(
                        measure: "risk-assessed", unit: "ward-7", period: week.adding(days: -7 * weekOffset),
                        numerator: 1, denominator: 2))
            }
        }
        let unit = try store.observations(ObservationQuery(measure: "falls-rate", unit: "ward-7"))
        #expect(unit.count == 6)
        #expect(unit.map(\.period) == unit.map(\.period).sorted())
        #expect(try store.observations(ObservationQuery(measure: "falls-rate", site: "north")).count == 12)
        #expect(try store.observations(ObservationQuery(measure: "falls-rate", site: "south")).count == 6)
        let recent = try store.observations(
            ObservationQuery(measure: "falls-rate", unit: "ward-9", from: Day("2026-05-11")!, to: week))
        #expect(recent.map(\.period.description) == ["2026-05-11", "2026-05-18", "2026-05-25"])
        #expect(
            try store.observations(ObservationQuery(measure: "falls")).isEmpty, "a measure id is not a prefix match")
        var seen = 0
        try store.forEachObservation(ObservationQuery()) { _ in seen += 1 }
        #expect(seen == 24)
    }

    @Test func recordsArePagedByID() throws {
        let store = try ImprovementStore.inMemory(replica: "device")
        try store.addFallsProgramme()
        let first = try store.records(Unit.self, limit: 2)
        #expect(first.map(\.id) == ["ward-7", "ward-9"])
        let second = try store.records(Unit.self, after: first.last?.id, limit: 2)
        #expect(second.map(\.id) == ["ward-s1"])
        #expect(try store.record(Unit.self, id: "ward-7")?.site == "north")
    }

    @Test func aFileStoreIsWALAndKeepsItsReplicaAndClockAcrossOpens() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("improve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("store.sqlite").path
        let clock = ManualClock()
        var lastStamp: HLC?
        do {
            let store = try ImprovementStore(
                path: path, options: StoreOptions(clock: clock.physical, utcOffsetSeconds: 0))
            try store.addFallsProgramme()
            lastStamp = try store.allChanges().last?.hlc
        }
        // Bytes 18 and 19 of an SQLite file are 2 when it is in WAL mode.
        let header = try #require(FileManager.default.contents(atPath: path)).prefix(20)
        #expect(Array(header.suffix(2)) == [2, 2], "the store file is in WAL mode")
        clock.advance(by: -3_600_000)  // the device clock jumped back an hour while closed
        let reopened = try ImprovementStore(
            path: path, options: StoreOptions(clock: clock.physical, utcOffsetSeconds: 0))
        #expect(reopened.replica == lastStamp?.replica)
        try reopened.write(author: "a") { try $0.save(Site(id: "east", name: "East")) }
        let newest = try #require(try reopened.allChanges().last?.hlc)
        #expect(try #require(lastStamp) < newest, "the clock never runs backwards across restarts")
        #expect(throws: StoreError.self) {
            _ = try ImprovementStore(path: path, options: StoreOptions(replica: "someone-else"))
        }
    }
}

@Suite("Held changes")
struct HeldChangeTests {
    @Test func aHeldChangeLeavesTheQueueUntilReleasedAndNothingIsLost() throws {
        let store = try ImprovementStore.inMemory(replica: "device")
        try store.addFallsProgramme()
        let all = try store.pendingChanges()
        let refused = all[2]
        try store.holdChange(
            id: refused.change.id, code: "forbidden", reason: "only coordinators and admins change units")
        #expect(try store.pendingChanges().map(\.change.id) == all.map(\.change.id).filter { $0 != refused.change.id })
        #expect(try store.pendingCount() == all.count - 1)
        #expect(try store.heldChanges().map(\.change.id) == [refused.change.id])
        #expect(try store.heldChanges().first?.reason == "only coordinators and admins change units")
        #expect(try store.allChanges().contains { $0.id == refused.change.id }, "still in the log")

        try store.markPushed(through: all.last!.seq)
        #expect(try store.pendingCount() == 0)
        try store.releaseHeldChange(id: refused.change.id)
        #expect(try store.heldChanges().isEmpty)
        #expect(try store.pendingChanges().first?.change.id == refused.change.id, "queued again, in log order")
        #expect(try store.pendingCount() == all.count - 2, "later changes are resent too (the server sees duplicates)")

        #expect(throws: StoreError.self) { try store.releaseHeldChange(id: "nope") }
        let peer = try ImprovementStore.inMemory(replica: "peer")
        try peer.apply(try store.allChanges())
        #expect(throws: StoreError.self, "only this device's own changes can be held") {
            try peer.holdChange(id: refused.change.id, code: "forbidden", reason: "x")
        }
    }
}
