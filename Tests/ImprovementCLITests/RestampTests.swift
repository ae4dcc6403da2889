import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

/// `ImprovementStore.restampPendingChanges(stampedAfter:)`, in the store itself: a device whose
/// clock was an hour ahead re-stamps its never-acknowledged changes once the clock is right.
@Suite("Re-stamping after clock skew")
struct RestampTests {
    /// 2026-06-01T12:00:00Z.
    static let now: Int64 = 1_780_315_200_000

    @Test func pendingChangesAheadOfTheClockGetFreshStampsAndNewIDs() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("store.sqlite")
        func open(_ millis: Int64) throws -> ImprovementStore {
            try ImprovementStore(
                path: path,
                options: StoreOptions(replica: "tablet", clock: PhysicalClock { millis }, utcOffsetSeconds: 0))
        }
        // Definitions made with a correct clock and acknowledged by a server.
        let correct = try open(Self.now)
        try correct.write(author: "dr.ahmed") { writer in
            try writer.save(Site(id: "north", name: "North"))
            try writer.save(ImprovementCore.Unit(id: "ward-7", site: "north", name: "Ward 7"))
            try writer.save(Programme(id: "falls", name: "Falls", aim: "Fewer falls"))
            try writer.save(
                Measure(
                    id: "falls-rate", programme: "falls", name: "Falls", type: .outcome, chart: .u, frequency: .week,
                    direction: .down))
        }
        try correct.markPushed(through: try correct.lastSequence())

        // An hour ahead: a data point, then an edit of it (whose base names the first stamp).
        let skewed = try open(Self.now + 3_600_000)
        let week = Day("2026-05-25")!
        try skewed.write(author: "nurse.patel") { writer in
            try writer.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-7", period: week, numerator: 2, denominator: 400))
        }
        try skewed.write(author: "nurse.patel") { writer in
            try writer.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-7", period: week, numerator: 3, denominator: 400))
        }
        let before = try skewed.pendingChanges()
        #expect(before.count == 2 && before.allSatisfy { $0.change.hlc.millis == Self.now + 3_600_000 })

        // The clock is right again (five seconds later).
        let fixed = try open(Self.now + 5_000)
        let report = try fixed.restampPendingChanges(stampedAfter: Self.now + 5_000)
        #expect(report.restamped == 2)
        let after = try fixed.pendingChanges()
        #expect(after.map(\.seq) == before.map(\.seq), "the log order is kept")
        #expect(
            after.map(\.change.hlc) == [
                HLC(millis: Self.now + 5_000, counter: 0, replica: "tablet"),
                HLC(millis: Self.now + 5_000, counter: 1, replica: "tablet"),
            ])
        #expect(Set(after.map(\.change.id)).isDisjoint(with: before.map(\.change.id)), "new change ids")
        #expect(report.renamedIDs[before[0].change.id] == after[0].change.id)
        #expect(after.map(\.change.fields) == before.map(\.change.fields), "the same content")
        #expect(
            after[1].change.base["numerator"] == .some(after[0].change.hlc), "a base naming an old stamp follows it")

        // The record's versions follow the new stamps, and the data are unchanged.
        let observationID = Observation.id(measure: "falls-rate", unit: "ward-7", period: week)
        let state = try #require(try fixed.mergedState(of: .observation, id: observationID))
        #expect(state.versions["numerator"] == after[1].change.hlc)
        #expect(state.versions["denominator"] == after[0].change.hlc)
        #expect(state.fields["numerator"] == .number(3))
        #expect(try fixed.conflicts().isEmpty)

        // Acknowledged changes are untouched, and the next stamp continues from the new clock.
        #expect(try fixed.history(of: .site, id: "north").first?.change.hlc.millis == Self.now)
        try fixed.write(author: "nurse.patel") { writer in
            try writer.record(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-7", period: Day("2026-05-18")!, numerator: 1, denominator: 380))
        }
        #expect(
            try fixed.pendingChanges().last?.change.hlc == HLC(millis: Self.now + 5_000, counter: 2, replica: "tablet"))

        // Nothing is ahead any more: a second call changes nothing.
        #expect(try fixed.restampPendingChanges(stampedAfter: Self.now + 5_000).restamped == 0)
    }
}
