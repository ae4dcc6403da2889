import Foundation
import ImprovementCore
import Testing

/// What is due: the periods a unit has not recorded yet, from the first one expected up to the
/// current one, by each measure's frequency.
@Suite("Due periods")
struct DuePeriodsTests {
    /// Wednesday 2026-06-17.
    let today = Day("2026-06-17")!

    @Test func weeksFromTheProgrammeStartUpToTheCurrentWeekWithoutData() {
        let missing = DuePeriods.missing(
            frequency: .week, today: today, programmeStart: Day("2026-05-20")!, programmeEnd: nil,
            recorded: [Day("2026-05-25")!])
        #expect(missing.map(\.description) == ["2026-05-18", "2026-06-01", "2026-06-08", "2026-06-15"])
    }

    @Test func withoutAProgrammeStartTheFirstDataIsTheStartAndNoDataMeansTheCurrentPeriod() {
        let fromData = DuePeriods.missing(
            frequency: .month, today: today, programmeStart: nil, programmeEnd: nil,
            recorded: [Day("2026-02-01")!, Day("2026-04-01")!])
        #expect(fromData.map(\.description) == ["2026-03-01", "2026-05-01", "2026-06-01"])
        let nothingYet = DuePeriods.missing(
            frequency: .day, today: today, programmeStart: nil, programmeEnd: nil, recorded: [])
        #expect(nothingYet == [today])
    }

    @Test func onlyTheLastTwelvePeriodsUnlessSinceSaysOtherwise() {
        let start = Day("2025-01-06")!
        let window = DuePeriods.missing(
            frequency: .week, today: today, programmeStart: start, programmeEnd: nil, recorded: [])
        #expect(window.count == 12)
        #expect(window.first?.description == "2026-03-30" && window.last?.description == "2026-06-15")
        let shorter = DuePeriods.missing(
            frequency: .week, today: today, programmeStart: start, programmeEnd: nil, recorded: [], window: 2)
        #expect(shorter.map(\.description) == ["2026-06-08", "2026-06-15"])
        let since = DuePeriods.missing(
            frequency: .month, today: today, programmeStart: nil, programmeEnd: nil, recorded: [Day("2026-06-01")!],
            since: Day("2026-03-15")!)
        #expect(since.map(\.description) == ["2026-03-01", "2026-04-01", "2026-05-01"])
        let notBeforeTheStart = DuePeriods.missing(
            frequency: .month, today: today, programmeStart: Day("2026-05-01")!, programmeEnd: nil, recorded: [],
            since: Day("2026-01-01")!)
        #expect(notBeforeTheStart.map(\.description) == ["2026-05-01", "2026-06-01"])
    }

    @Test func nothingIsDueAfterTheProgrammeEndsOrBeforeItStarts() {
        let ended = DuePeriods.missing(
            frequency: .week, today: today, programmeStart: Day("2026-05-04")!, programmeEnd: Day("2026-05-13")!,
            recorded: [Day("2026-05-04")!])
        #expect(ended.map(\.description) == ["2026-05-11"])
        let future = DuePeriods.missing(
            frequency: .week, today: today, programmeStart: Day("2026-07-01")!, programmeEnd: nil, recorded: [])
        #expect(future.isEmpty)
    }

    @Test func theStoreListsEachMeasureAndUnitOfTheSite() throws {
        let clock = ManualClock(TestDates.noon2026June1 + 16 * 86_400_000)  // 2026-06-17
        let store = try ImprovementStore.inMemory(replica: "ward", clock: clock)
        try store.addFallsProgramme()
        try store.write(author: "coordinator") { writer in
            try writer.save(
                Programme(
                    id: "falls", name: "Falls", aim: "Reduce inpatient falls by 30% by June 2027",
                    start: Day("2026-06-01")!))
            try writer.record(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-7", period: Day("2026-06-03")!, numerator: 1, denominator: 300))
            try writer.record(
                ObservationEntry(
                    measure: "days-between", unit: "ward-7", period: Day("2026-06-05")!, value: 4))
        }
        let due = try store.due(DueQuery(site: "north", unit: "ward-7"))
        let summary = due.map {
            "\($0.measure.id)/\($0.unit.id): " + $0.periods.map(\.description).joined(separator: " ")
        }
        #expect(
            summary == [
                "days-between/ward-7: "
                    + (1...17).filter { $0 != 5 }.map { String(format: "2026-06-%02d", $0) }.suffix(12)
                    .joined(separator: " "),
                "falls-rate/ward-7: 2026-06-08 2026-06-15",
                "risk-assessed/ward-7: 2026-06-01 2026-06-08 2026-06-15",
                "sedation/ward-7: 2026-06-01",
            ])
        // Every unit of the site, none of another site's.
        let site = try store.due(DueQuery(site: "north", measure: "sedation"))
        #expect(site.map(\.unit.id) == ["ward-7", "ward-9"])
        #expect(try store.due(DueQuery(site: "south", measure: "sedation")).map(\.unit.id) == ["ward-s1"])

        try store.write(author: "coordinator") { writer in
            try writer.save(
                Programme(
                    id: "falls", name: "Falls", aim: "Reduce inpatient falls by 30% by June 2027", status: .closed))
        }
        #expect(try store.due(DueQuery(site: "north")).isEmpty, "a closed programme expects nothing")
    }
}
