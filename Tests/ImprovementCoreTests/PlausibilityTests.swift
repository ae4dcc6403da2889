import ImprovementCore
import Testing

/// Plausibility at entry: what cannot be true is refused whatever `force` says; what is unusual
/// but possible is refused unless forced, and nothing is written either way.
@Suite("Plausibility at entry")
struct PlausibilityTests {
    let store: ImprovementStore

    init() throws {
        store = try .inMemory(replica: "device")
        try store.addFallsProgramme()
    }

    func record(_ entry: ObservationEntry) throws {
        try store.write(author: "amy") { try $0.record(entry) }
    }

    func sedation(_ month: String, _ value: Double, force: Bool = false) -> ObservationEntry {
        ObservationEntry(measure: "sedation", unit: "ward-7", period: Day(month)!, value: value, force: force)
    }

    func falls(
        _ week: String, _ numerator: Double, _ denominator: Double = 400, force: Bool = false
    ) -> ObservationEntry {
        ObservationEntry(
            measure: "falls-rate", unit: "ward-7", period: Day(week)!, numerator: numerator, denominator: denominator,
            force: force)
    }

    /// Refused however it is asked, with nothing logged.
    func expectRefused(_ entry: ObservationEntry, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try store.lastSequence()
        var forced = entry
        forced.force = true
        #expect(throws: ValidationError.self, sourceLocation: sourceLocation) { try record(forced) }
        #expect(try store.lastSequence() == before, sourceLocation: sourceLocation)
    }

    /// Refused with a warning unless forced; recorded when forced.
    func expectWarned(
        _ entry: ObservationEntry, saying text: String, sourceLocation: SourceLocation = #_sourceLocation
    )
        throws
    {
        let before = try store.lastSequence()
        do {
            try record(entry)
            Issue.record("recorded without --force", sourceLocation: sourceLocation)
        } catch let warned as ImplausibleEntry {
            #expect(warned.warnings.joined().contains(text), "\(warned.warnings)", sourceLocation: sourceLocation)
            #expect(warned.description.hasSuffix("Nothing was saved. Use --force to record it anyway."))
        }
        #expect(try store.lastSequence() == before, "nothing was saved", sourceLocation: sourceLocation)
        var forced = entry
        forced.force = true
        try record(forced)
        #expect(try store.lastSequence() > before, sourceLocation: sourceLocation)
    }

    @Test func valuesBeyondASaneSizeAreRefused() throws {
        try expectRefused(sedation("2026-05-01", 1e300))
        try expectRefused(sedation("2026-05-01", -2e9))
        try expectRefused(falls("2026-05-25", 3, 2e7))
        try expectRefused(falls("2026-05-25", 2e7, 3e7))
        try expectRefused(
            ObservationEntry(measure: "days-between", unit: "ward-7", period: Day("2026-05-25")!, value: 2e7))
        // The largest plausible sizes are accepted.
        try record(sedation("2026-05-01", 1e9))
        try record(falls("2026-05-25", 3, 1e7))
    }

    @Test func periodsBefore2000AreRefused() throws {
        try expectRefused(sedation("1999-12-01", 4))
        try record(sedation("2000-01-01", 4))
    }

    @Test func aPeriodBeforeTheProgrammeStartedIsWarned() throws {
        try store.write(author: "c") { writer in
            try writer.save(
                Programme(
                    id: "falls", name: "Falls", aim: "Reduce inpatient falls by 30% by June 2027",
                    start: Day("2026-01-01")))
        }
        try record(sedation("2026-01-01", 4))
        try expectWarned(sedation("2025-12-01", 4), saying: "before the programme started (2026-01-01)")
    }

    @Test func aFractionalCountOfARateIsWarned() throws {
        try expectWarned(falls("2026-05-25", 2.5), saying: "usually a whole number")
        try record(falls("2026-05-18", 2))
    }

    @Test func aValueFarOutsideTheSeriesIsWarned() throws {
        for (month, value) in [
            ("2025-11-01", 4.0), ("2025-12-01", 6), ("2026-01-01", 5), ("2026-02-01", 7), ("2026-03-01", 5),
        ] {
            try record(sedation(month, value))
        }
        // Unusual but inside what a ward's series can do: recorded at once.
        try record(sedation("2026-04-01", 30))
        try expectWarned(sedation("2026-05-01", 5000), saying: "far outside this ward's series")
    }

    @Test func aRateFarOutsideItsSeriesIsWarnedButAQuietSeriesMayRise() throws {
        for (week, numerator) in [
            ("2026-04-20", 0.0), ("2026-04-27", 0), ("2026-05-04", 0), ("2026-05-11", 0), ("2026-05-18", 0),
        ] {
            try record(falls(week, numerator))
        }
        // No falls for five weeks, then three: possible, so no question.
        try record(falls("2026-05-25", 3))
        try expectWarned(falls("2026-04-13", 400), saying: "far outside")
    }

    @Test func tooShortASeriesSaysNothing() throws {
        try record(sedation("2026-01-01", 4))
        try record(sedation("2026-02-01", 4000))
    }
}
