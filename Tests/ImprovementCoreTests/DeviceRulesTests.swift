import Foundation
import ImprovementCore
import Testing

/// A store that knows its account refuses, before writing anything, what the account may not
/// write; what it receives from others is never judged (the server already did).
@Suite("Device write rules")
struct DeviceRulesTests {
    let week = Day("2026-05-25")!

    /// A device of `account` holding the falls programme as it arrives by sync.
    static func device(_ account: AccountScope?) throws -> ImprovementStore {
        let source = try ImprovementStore.inMemory(replica: "coordinator")
        try source.addFallsProgramme()
        let device = try ImprovementStore(
            path: nil,
            options: StoreOptions(replica: "ward", clock: ManualClock().physical, utcOffsetSeconds: 0, account: account)
        )
        try device.apply(try source.allChanges())
        return device
    }

    @Test func aMemberRecordsForItsSitesAndNothingElseReachesTheLog() throws {
        let store = try Self.device(AccountScope(role: .member, sites: ["north"]))
        let logged = try store.lastSequence()
        func refused(_ reason: String, _ write: (StoreWriter) throws -> Void) {
            #expect(throws: WriteRefusal.self) { try store.write(author: "nurse.a") { try write($0) } }
            do {
                try store.write(author: "nurse.a") { try write($0) }
            } catch let refusal as WriteRefusal {
                #expect(refusal.reason == reason)
                #expect(refusal.description.hasSuffix("Nothing was saved."))
                #expect(refusal.description.contains("member for site north"))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        refused("only coordinators and admins change units") {
            try $0.save(Unit(id: "ward-8", site: "north", name: "Ward 8"))
        }
        refused("only coordinators and admins change sites") { try $0.save(Site(id: "north", name: "North")) }
        refused("only coordinators and admins change measures") { try $0.delete(.measure, id: "sedation") }
        refused("the account does not belong to site south") { writer in
            try writer.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-s1", period: week, numerator: 1, denominator: 200))
        }
        // A refusal part-way through a transaction takes the writes before it with it.
        refused("only coordinators and admins change units") { writer in
            try writer.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-7", period: week, numerator: 1, denominator: 200))
            try writer.save(Unit(id: "ward-8", site: "north", name: "Ward 8"))
        }
        #expect(try store.lastSequence() == logged, "nothing refused reached the change log")
        #expect(try store.pendingCount() == 0)
        #expect(try store.record(ImprovementCore.Unit.self, id: "ward-8") == nil)
        #expect(try store.observations(ObservationQuery()).isEmpty)

        try store.write(author: "nurse.a") { writer in
            try writer.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-7", period: week, numerator: 1, denominator: 200))
        }
        #expect(try store.pendingCount() == 1)
    }

    @Test func aMemberCannotSettleAConflictAndItsValueStaysAsItWas() throws {
        let source = try ImprovementStore.inMemory(replica: "coordinator")
        try source.addFallsProgramme()
        let laptop = try ImprovementStore.inMemory(replica: "laptop")
        try laptop.apply(try source.allChanges())
        for (store, numerator) in [(source, 2.0), (laptop, 3.0)] {
            try store.write(author: "nurse") { writer in
                try writer.record(
                    ObservationEntry(
                        measure: "falls-rate", unit: "ward-7", period: week, numerator: numerator, denominator: 300))
            }
        }
        let member = try ImprovementStore(
            path: nil,
            options: StoreOptions(
                replica: "ward", clock: ManualClock().physical, utcOffsetSeconds: 0,
                account: AccountScope(role: .member, sites: ["north"])))
        try member.apply(try source.allChanges() + laptop.allChanges())
        let conflict = try #require(try member.conflicts().first { $0.field == "numerator" })
        let value = try member.observations(ObservationQuery(unit: "ward-7")).first?.numerator
        let logged = try member.lastSequence()

        #expect(throws: WriteRefusal.self) {
            try member.write(author: "nurse.a") { writer in
                _ = try writer.resolveConflict(id: conflict.id, keep: .loser)
            }
        }
        #expect(try member.lastSequence() == logged, "neither the value nor the decision was logged")
        #expect(try member.observations(ObservationQuery(unit: "ward-7")).first?.numerator == value)
        #expect(try member.conflicts().contains { $0.id == conflict.id }, "the conflict stays open for a coordinator")
    }

    @Test func aViewerWritesNothingAndAnUnknownRoleLeavesItToTheServer() throws {
        let viewer = try Self.device(AccountScope(role: .viewer, sites: ["north"]))
        do {
            try viewer.write(author: "v") { writer in
                try writer.record(
                    ObservationEntry(
                        measure: "falls-rate", unit: "ward-7", period: week, numerator: 1, denominator: 200))
            }
            Issue.record("a viewer wrote")
        } catch let refusal as WriteRefusal {
            #expect(refusal.reason == "a viewer account can read but not send changes")
        }
        #expect(try viewer.pendingCount() == 0)

        let unknown = try Self.device(nil)
        try unknown.write(author: "nurse.a") { writer in
            try writer.save(Unit(id: "ward-8", site: "north", name: "Ward 8"))
        }
        #expect(try unknown.pendingCount() == 1, "a device that does not know its role writes as before")
        let coordinator = try Self.device(AccountScope(role: .coordinator, sites: ["north"]))
        try coordinator.write(author: "c") { writer in
            try writer.save(Unit(id: "ward-8", site: "north", name: "Ward 8"))
            try writer.save(
                Measure(
                    id: "falls-harm", programme: "falls", name: "Falls with harm", type: .outcome, chart: .c,
                    frequency: .month, direction: .down))
        }
        #expect(throws: WriteRefusal.self) {
            try coordinator.write(author: "c") { writer in
                try writer.save(Unit(id: "ward-s2", site: "south", name: "South 2"))
            }
        }
    }
}

@Suite("Discarding held changes")
struct HeldDiscardTests {
    let week = Day("2026-05-25")!

    /// A device whose own programme the server accepted.
    static func syncedDevice() throws -> ImprovementStore {
        let store = try ImprovementStore.inMemory(replica: "device")
        try store.addFallsProgramme()
        try store.markPushed(through: try store.lastSequence())
        return store
    }

    /// Makes one write and holds its change as the server would have.
    @discardableResult
    static func holdNext(_ store: ImprovementStore, _ write: (StoreWriter) throws -> Void) throws -> Change {
        let before = try store.lastSequence()
        try store.write(author: "nurse.a") { try write($0) }
        let change = try #require(try store.changes(after: before).last?.change)
        try store.holdChange(id: change.id, code: "forbidden", reason: "only coordinators and admins change units")
        return change
    }

    @Test func discardingAnEditReturnsTheRecordToItsEarlierValue() throws {
        let store = try Self.syncedDevice()
        let edit = try Self.holdNext(store) { try $0.save(Unit(id: "ward-7", site: "north", name: "Ward Seven")) }
        #expect(try store.record(ImprovementCore.Unit.self, id: "ward-7")?.name == "Ward Seven")

        let discarded = try store.discardHeldChange(id: edit.id)
        #expect(discarded.change.id == edit.id && !discarded.recordRemoved)
        #expect(discarded.fields == [.init(field: "name", before: .text("Ward Seven"), after: .text("Ward 7"))])
        #expect(try store.record(ImprovementCore.Unit.self, id: "ward-7")?.name == "Ward 7")
        #expect(try store.heldChanges().isEmpty && store.pendingCount() == 0)
        #expect(try store.history(of: .unit, id: "ward-7").count == 1, "the change is gone from the log")
        #expect(throws: StoreError.notFound(type: "held change", id: edit.id)) {
            try store.discardHeldChange(id: edit.id)
        }
    }

    @Test func aRecordOnlyTheDiscardedChangeWroteDisappears() throws {
        let store = try Self.syncedDevice()
        let added = try Self.holdNext(store) { try $0.save(Unit(id: "ward-8", site: "north", name: "Ward 8")) }
        let discarded = try store.discardAllHeldChanges()
        #expect(discarded.map(\.change.id) == [added.id] && discarded[0].recordRemoved)
        #expect(try store.record(ImprovementCore.Unit.self, id: "ward-8") == nil)
        #expect(
            try store.records(ImprovementCore.Unit.self, after: nil, limit: 10).map(\.id) == [
                "ward-7", "ward-9", "ward-s1",
            ])
        #expect(try store.discardAllHeldChanges().isEmpty)
    }

    @Test func onlyHeldChangesCanBeDiscardedAndARefusalChangesNothing() throws {
        let store = try Self.syncedDevice()
        let logged = try store.allChanges()
        let accepted = try #require(logged.first)
        #expect(throws: StoreError.notFound(type: "held change", id: accepted.id)) {
            try store.discardHeldChange(id: accepted.id)
        }
        #expect(throws: StoreError.self) { try store.discardHeldChange(id: "no-such-change") }
        #expect(try store.allChanges() == logged)
    }

    @Test func discardingRederivesTheConflictsOfTheRecord() throws {
        let store = try Self.syncedDevice()
        try store.write(author: "nurse.a") { writer in
            try writer.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-7", period: week, numerator: 2, denominator: 300))
        }
        try store.markPushed(through: try store.lastSequence())
        // A colleague corrects the value knowingly; meanwhile this device edits it without seeing that.
        let clock = ManualClock()
        clock.advance(by: 60_000)
        let peer = try ImprovementStore.inMemory(replica: "peer", clock: clock)
        try peer.apply(try store.allChanges())
        try peer.write(author: "nurse.b") { writer in
            try writer.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-7", period: week, numerator: 5, denominator: 300))
        }
        let edit = try Self.holdNext(store) { writer in
            try writer.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-7", period: week, numerator: 3, denominator: 300))
        }
        try store.apply(try peer.allChanges())
        #expect(!(try store.conflicts()).isEmpty, "the two edits conflict")

        let discarded = try store.discardHeldChange(id: edit.id)
        #expect(discarded.fields.first { $0.field == "numerator" }?.after == FieldValue.number(5))
        #expect(try store.observations(ObservationQuery(unit: "ward-7")).first?.numerator == 5)
        #expect(
            try store.conflicts(includeResolved: true).isEmpty, "with the edit gone there is nothing to disagree about")
    }
}
