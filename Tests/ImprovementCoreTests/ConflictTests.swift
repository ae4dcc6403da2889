import ImprovementCore
import Testing

/// Worked examples of the merge rule, with two ward devices that record offline and then sync.
@Suite("Conflicts")
struct ConflictTests {
    let week = Day("2026-05-25")!
    let clockA = ManualClock()
    let clockB = ManualClock(TestDates.noon2026June1 + 250)
    let wardA: ImprovementStore
    let wardB: ImprovementStore

    init() throws {
        let coordinator = try ImprovementStore.inMemory(replica: "coordinator")
        try coordinator.addFallsProgramme()
        wardA = try .inMemory(replica: "ward-a", clock: clockA)
        wardB = try .inMemory(replica: "ward-b", clock: clockB)
        try wardA.apply(try coordinator.allChanges())
        try wardB.apply(try coordinator.allChanges())
    }

    func record(_ store: ImprovementStore, _ author: String, numerator: Double, note: String? = nil) throws {
        try store.write(author: author) { writer in
            try writer.record(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-7", period: week, numerator: numerator, denominator: 300,
                    note: note))
        }
    }

    func exchange() throws {
        let fromA = try wardA.allChanges()
        let fromB = try wardB.allChanges()
        try wardA.apply(fromB)
        try wardB.apply(fromA)
    }

    let id = "falls-rate/ward-7/2026-05-25"

    @Test func concurrentDifferentValuesKeepTheLoserAsAConflict() throws {
        try record(wardA, "amy", numerator: 2)
        try record(wardB, "ben", numerator: 5)  // B's clock is ahead: B wins
        try exchange()
        let a = try wardA.observations(ObservationQuery(measure: "falls-rate"))
        let b = try wardB.observations(ObservationQuery(measure: "falls-rate"))
        #expect(a == b)
        #expect(a.map(\.numerator) == [5])
        let conflicts = try wardA.conflicts()
        #expect(conflicts == (try wardB.conflicts()))
        let conflict = try #require(conflicts.first { $0.field == "numerator" })
        #expect(conflict.kind == .edit && conflict.entity == id && conflict.site == "north")
        #expect(
            conflict.winner.value == .number(5) && conflict.winner.author == "ben"
                && conflict.winner.replica == "ward-b")
        #expect(
            conflict.loser.value == .number(2) && conflict.loser.author == "amy" && conflict.loser.replica == "ward-a")
        #expect(conflict.loser.hlc < conflict.winner.hlc)
        // The denominators were equal, so that field is not in conflict; who recorded it is
        // bookkeeping, which follows the numerator and forms no conflict of its own.
        #expect(Set(conflicts.map(\.field)) == ["numerator"])
    }

    @Test func concurrentEqualValuesAreNoConflict() throws {
        try record(wardA, "amy", numerator: 2)
        try record(wardB, "amy", numerator: 2)
        try exchange()
        #expect(try wardA.conflicts().isEmpty)
        #expect(try wardB.conflicts().isEmpty)
    }

    @Test func anEditMadeAfterSeeingTheValueIsNoConflict() throws {
        try record(wardA, "amy", numerator: 2)
        try exchange()
        try record(wardB, "ben", numerator: 3, note: "one fall reported late")
        try exchange()
        #expect(try wardA.conflicts().isEmpty)
        #expect(try wardA.observations(ObservationQuery(measure: "falls-rate")).first?.numerator == 3)
        #expect(try wardB.observations(ObservationQuery(measure: "falls-rate")).first?.note == "one fall reported late")
    }

    @Test func editVersusDeleteIsAConflictWhicheverWins() throws {
        try record(wardA, "amy", numerator: 2)
        try exchange()
        try wardA.write(author: "amy") { try $0.deleteObservation(measure: "falls-rate", unit: "ward-7", period: week) }
        try record(wardB, "ben", numerator: 4)
        try exchange()
        #expect(try wardA.observations(ObservationQuery(measure: "falls-rate")).isEmpty)
        #expect(try wardB.observations(ObservationQuery(measure: "falls-rate")).isEmpty)
        let conflicts = try wardA.conflicts()
        #expect(conflicts == (try wardB.conflicts()))
        let numerator = try #require(conflicts.first { $0.field == "numerator" })
        #expect(numerator.kind == .delete)
        #expect(numerator.loser.value == .number(4) && numerator.loser.author == "ben")
        #expect(numerator.winner.value == .null && numerator.winner.author == "amy")
    }

    @Test func keepingTheLoserRestoresItsValueEverywhere() throws {
        try record(wardA, "amy", numerator: 2)
        try record(wardB, "ben", numerator: 5)
        try exchange()
        let conflict = try #require(try wardA.conflicts().first { $0.field == "numerator" })
        let resolved = try wardA.write(author: "coordinator") { try $0.resolveConflict(id: conflict.id, keep: .loser) }
        #expect(resolved.keep == .loser && resolved.fields == ["numerator"])
        try exchange()
        for store in [wardA, wardB] {
            #expect(try store.observations(ObservationQuery(measure: "falls-rate")).first?.numerator == 2)
            #expect(try store.conflicts().allSatisfy { $0.field != "numerator" }, "no longer open")
            let settled = try #require(try store.conflicts(includeResolved: true).first { $0.id == conflict.id })
            #expect(settled.resolution == .loser)
            #expect(settled.loser.value == .number(2))
        }
    }

    @Test func keepingTheWinnerClosesTheConflictButKeepsItsRecord() throws {
        try record(wardA, "amy", numerator: 2)
        try record(wardB, "ben", numerator: 5)
        try exchange()
        let conflict = try #require(try wardB.conflicts().first { $0.field == "numerator" })
        try wardB.write(author: "coordinator") { try $0.resolveConflict(id: conflict.id, keep: .winner) }
        try exchange()
        for store in [wardA, wardB] {
            #expect(try store.observations(ObservationQuery(measure: "falls-rate")).first?.numerator == 5)
            #expect(try store.conflicts().allSatisfy { $0.id != conflict.id })
            #expect(try store.conflicts(includeResolved: true).first { $0.id == conflict.id }?.resolution == .winner)
        }
        #expect(throws: StoreError.notFound(type: "conflict", id: "nope")) {
            try wardA.write(author: "c") { try $0.resolveConflict(id: "nope", keep: .winner) }
        }
    }
}
