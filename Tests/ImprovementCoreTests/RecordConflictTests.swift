import ImprovementCore
import Testing

/// Conflicts per record: one entry with both versions whole, settled as a whole (or one field
/// with `field`), bookkeeping fields following the version kept, and the decision written as one
/// unit the server can accept or refuse together.
@Suite("Conflicts per record")
struct RecordConflictTests {
    let week = Day("2026-05-25")!
    let wardA: ImprovementStore
    let wardB: ImprovementStore
    let id = "falls-rate/ward-7/2026-05-25"

    init() throws {
        let coordinator = try ImprovementStore.inMemory(replica: "coordinator")
        try coordinator.addFallsProgramme()
        wardA = try .inMemory(replica: "ward-a", clock: ManualClock())
        wardB = try .inMemory(replica: "ward-b", clock: ManualClock(TestDates.noon2026June1 + 250))
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

    /// Amy (ward A) and Ben (ward B, whose clock is ahead, so he wins) record the same week differently.
    func disagree() throws -> RecordConflict {
        try record(wardA, "amy", numerator: 2, note: "agency staff")
        try record(wardB, "ben", numerator: 5)
        try exchange()
        let entries = try wardA.recordConflicts()
        #expect(entries == (try wardB.recordConflicts()), "every replica groups the same way")
        return try #require(entries.first)
    }

    @Test func oneDisagreementIsOneEntryWithBothVersionsWhole() throws {
        let entry = try disagree()
        #expect(try wardA.recordConflicts().count == 1)
        #expect(entry.entity == id && entry.type == "observation" && entry.site == "north" && entry.kind == .edit)
        #expect(entry.fields == ["note", "numerator"], "recordedBy is bookkeeping, not a conflict")
        #expect(entry.winner.values["numerator"] == .number(5) && entry.winner.values["note"] == .null)
        #expect(entry.winner.values["recordedBy"] == .text("ben") && entry.winner.replica == "ward-b")
        #expect(entry.loser.values["numerator"] == .number(2) && entry.loser.values["note"] == .text("agency staff"))
        #expect(entry.loser.values["recordedBy"] == .text("amy") && entry.loser.author == "amy")
        #expect(entry.loser.replica == "ward-a" && entry.loser.hlc < entry.winner.hlc)
        #expect(entry.agreed.contains("denominator") && !entry.agreed.contains("recordedBy"))
        #expect(entry.isNamed(by: entry.id) && entry.isNamed(by: id) && entry.isNamed(by: entry.conflicts[0].id))
    }

    @Test func onlyWhoRecordedItDifferingIsNoConflict() throws {
        try record(wardA, "amy", numerator: 2)
        try record(wardB, "ben", numerator: 2)
        try exchange()
        #expect(try wardA.conflicts().isEmpty && wardB.conflicts().isEmpty)
        #expect(try wardA.recordConflicts().isEmpty)
    }

    @Test func keepingTheLoserPutsItsWholeVersionBackEverywhere() throws {
        let entry = try disagree()
        let outcome = try wardA.write(author: "dr.ahmed") { try $0.resolve(entry, keep: .loser) }
        #expect(outcome.fields == ["note", "numerator"])
        #expect(outcome.restored["recordedBy"] == .text("amy"))
        try exchange()
        for store in [wardA, wardB] {
            let point = try #require(try store.observations(ObservationQuery(measure: "falls-rate")).first)
            #expect(point.numerator == 2 && point.note == "agency staff" && point.recordedBy == "amy")
            #expect(try store.recordConflicts().isEmpty, "settled, no field left open")
            let settled = try #require(try store.recordConflicts(includeResolved: true).first)
            #expect(settled.id == entry.id && settled.resolution == .loser, "the same entry, remembered as settled")
        }
    }

    @Test func keepingTheWinnerSettlesEveryFieldAndChangesNoValue() throws {
        let entry = try disagree()
        try wardB.write(author: "dr.ahmed") { try $0.resolve(entry, keep: .winner) }
        try exchange()
        for store in [wardA, wardB] {
            let point = try #require(try store.observations(ObservationQuery(measure: "falls-rate")).first)
            #expect(point.numerator == 5 && point.note == nil && point.recordedBy == "ben")
            #expect(try store.recordConflicts().isEmpty)
            #expect(try store.recordConflicts(includeResolved: true).first?.resolution == .winner)
        }
    }

    @Test func oneFieldCanStillBeSettledOnItsOwn() throws {
        let entry = try disagree()
        try wardA.write(author: "dr.ahmed") { try $0.resolve(entry, keep: .loser, field: "numerator") }
        let point = try #require(try wardA.observations(ObservationQuery(measure: "falls-rate")).first)
        #expect(point.numerator == 2 && point.note == nil, "only the numerator was put back")
        let open = try #require(try wardA.recordConflicts().first)
        #expect(open.fields == ["note"])
        #expect(throws: StoreError.notFound(type: "open conflict", id: open.id + " (field numerator)")) {
            try wardA.write(author: "dr.ahmed") { try $0.resolve(open, keep: .loser, field: "numerator") }
        }
    }

    @Test func theDecisionIsWrittenAsOneUnitResolutionsFirst() throws {
        let entry = try disagree()
        let before = try wardA.allChanges().count
        try wardA.write(author: "dr.ahmed") { try $0.resolve(entry, keep: .loser) }
        let written = Array(try wardA.allChanges().dropFirst(before))
        #expect(written.map(\.type) == ["resolution", "resolution", "observation"])
        let values = try #require(written.last)
        // The value change names every resolution it carries out; they come before it in the log.
        #expect(DecisionGroup.resolutions(of: values) == written.dropLast().map(\.entity).sorted())
        #expect(Set(values.fields.keys) == ["numerator", "note", "recordedBy"])
        // A server that has not accepted the resolutions refuses the values, and accepts them with them.
        let resolutions = Set(written.dropLast().map(\.entity))
        #expect(DecisionGroup.refusal(of: values, in: [], accepted: []) != nil)
        #expect(DecisionGroup.refusal(of: values, in: resolutions, accepted: []) == nil)
        #expect(DecisionGroup.refusal(of: values, in: [], accepted: resolutions) == nil)
        #expect(DecisionGroup.refusal(of: written[0], in: [], accepted: []) == nil, "an ordinary change needs nothing")
    }

    @Test func aFailedDecisionLeavesNothingBehind() throws {
        let entry = try disagree()
        let before = try wardA.allChanges().count
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try wardA.write(author: "dr.ahmed") { writer in
                try writer.resolve(entry, keep: .loser)
                throw Interrupted()
            }
        }
        #expect(try wardA.allChanges().count == before)
        #expect(try wardA.recordConflicts().count == 1)
    }
}
