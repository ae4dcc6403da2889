import ImprovementCore
import Testing

/// Recording a data point again keeps what it was not given, edits a note on its own, writes only
/// what changed, and says whose values it replaced.
@Suite("Re-recording")
struct ReRecordingTests {
    let week = Day("2026-05-25")!
    let store: ImprovementStore
    var id: String { "falls-rate/ward-7/2026-05-25" }

    init() throws {
        store = try .inMemory(replica: "device")
        try store.addFallsProgramme()
    }

    @discardableResult
    func record(
        _ author: String, numerator: Double? = nil, denominator: Double? = nil, note: String? = nil,
        clearNote: Bool = false
    ) throws -> RecordedObservation {
        try store.write(author: author) { writer in
            try writer.recordReporting(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-7", period: week, numerator: numerator, denominator: denominator,
                    note: note, clearNote: clearNote))
        }
    }

    func point() throws -> Observation { try #require(try store.record(Observation.self, id: id)) }

    @Test func newValuesWithoutANoteKeepTheNote() throws {
        try record("amy", numerator: 2, denominator: 300, note: "agency staff")
        let outcome = try record("amy", numerator: 3, denominator: 300)
        #expect(try point().note == "agency staff" && point().numerator == 3)
        #expect(outcome.change.map { Set($0.fields.keys) } == ["numerator"], "only what changed is written")
        #expect(!outcome.overwritesAnotherAuthor, "amy replaced her own value")
    }

    @Test func clearNoteRemovesIt() throws {
        try record("amy", numerator: 2, denominator: 300, note: "agency staff")
        try record("amy", numerator: 2, denominator: 300, clearNote: true)
        #expect(try point().note == nil && point().numerator == 2)
    }

    @Test func aNoteAloneEditsTheNoteAndKeepsWhoRecordedTheValues() throws {
        try record("amy", numerator: 2, denominator: 300)
        let outcome = try record("ben", note: "one fall at night")
        let point = try point()
        #expect(point.note == "one fall at night" && point.numerator == 2 && point.denominator == 300)
        #expect(point.recordedBy == "amy", "ben only wrote the note")
        #expect(outcome.change.map { Set($0.fields.keys) } == ["note"])
        #expect(!outcome.overwritesAnotherAuthor)
    }

    @Test func aNoteAloneNeedsARecordedDataPoint() throws {
        let before = try store.lastSequence()
        #expect(throws: ValidationError.self) { try record("ben", note: "one fall at night") }
        #expect(try store.lastSequence() == before, "nothing was logged")
    }

    @Test func replacingSomeoneElsesValuesSaysWhoseAndWhen() throws {
        try record("amy", numerator: 2, denominator: 300)
        let outcome = try record("ben", numerator: 1, denominator: 300)
        #expect(outcome.overwritesAnotherAuthor)
        #expect(outcome.previous?.numerator == 2 && outcome.previous?.recordedBy == "amy")
        #expect(outcome.previousDate == Day(millisecondsSince1970: TestDates.noon2026June1))
        #expect(try point().recordedBy == "ben" && point().numerator == 1)
    }

    @Test func theSameValuesAgainLogNothing() throws {
        try record("amy", numerator: 2, denominator: 300, note: "agency staff")
        let before = try store.lastSequence()
        let outcome = try record("ben", numerator: 2, denominator: 300)
        #expect(outcome.change == nil && !outcome.overwritesAnotherAuthor)
        #expect(try store.lastSequence() == before)
        #expect(try point().recordedBy == "amy")
    }
}
