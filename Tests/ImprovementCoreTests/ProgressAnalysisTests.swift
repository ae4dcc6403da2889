import ImprovementCore
import Testing

@Suite("Progress and data quality")
struct ProgressAnalysisTests {
    /// Today is 2026-06-01 (a Monday); 24 weekly periods end on 2026-05-25.
    static let weeks = (0..<24).map { TestDates.june1.adding(days: -7 * (24 - $0)) }

    func makeStore() throws -> ImprovementStore {
        let store = try ImprovementStore.inMemory(replica: "review")
        try store.addFallsProgramme()
        try store.write(author: "coordinator") { writer in
            try writer.save(
                Measure(
                    id: "restraint", programme: "falls", name: "Patients restrained", type: .balancing, chart: .i,
                    frequency: .week, direction: .down))
            try writer.save(
                Measure(
                    id: "audits", programme: "falls", name: "Audits done", type: .process, chart: .c,
                    frequency: .week, direction: .up))
        }
        try store.write(author: "amy") { writer in
            for (index, week) in Self.weeks.enumerated() {
                let improved = index >= 12
                // Falls: about 6 per 1,000 bed days, then about 2 after the change.
                let falls = improved ? [2.0, 1, 2, 3][index % 4] : [6.0, 5, 7, 6][index % 4]
                try writer.record(
                    ObservationEntry(
                        measure: "falls-rate", unit: "ward-7", period: week, numerator: falls, denominator: 1000))
                // Ward 9 shows no change at all.
                try writer.record(
                    ObservationEntry(
                        measure: "falls-rate", unit: "ward-9", period: week, numerator: [4.0, 5, 4, 6][index % 4],
                        denominator: 1000))
                // Restraint rises as falls fall: the harm a balancing measure exists to catch.
                try writer.record(
                    ObservationEntry(
                        measure: "restraint", unit: "ward-7", period: week,
                        value: improved ? [8.0, 9, 10, 9][index % 4] : [2.0, 3, 2, 3][index % 4]))
                // Audits stopped five weeks ago, and one week in the middle was never entered.
                if index < 19, index != 7 {
                    try writer.record(ObservationEntry(measure: "audits", unit: "ward-7", period: week, value: 4))
                }
                try writer.record(
                    ObservationEntry(
                        measure: "falls-rate", unit: "ward-s1", period: week, numerator: 3, denominator: 1000))
            }
        }
        return store
    }

    @Test func verdictsFollowTheDesiredDirection() throws {
        let store = try makeStore()
        // Without a phase, one process: the latest twelve weeks run below its centre line.
        let (unmarked, _) = try ProgressAnalysis.review(store: store, programme: "falls")
        let single = try #require(unmarked.measures.first { $0.measure == "falls-rate" && $0.unit == "ward-7" })
        #expect(single.verdict == .improving)
        #expect(single.reason == "improving: 12 points below the centre line since \(Self.weeks[12])")
        #expect(single.baselineCentre == single.currentCentre)
        // The change marked as a phase: before and after, and the verdict judged against before.
        try store.write(author: "amy") { writer in
            try writer.save(
                Annotation(
                    id: "bundle", measure: "falls-rate", site: "north", unit: "ward-7", date: Self.weeks[12],
                    text: "Falls bundle", startsPhase: true))
        }
        let (progress, _) = try ProgressAnalysis.review(store: store, programme: "falls")
        let ward7 = try #require(progress.measures.first { $0.measure == "falls-rate" && $0.unit == "ward-7" })
        #expect(ward7.verdict == .improving)
        #expect(ward7.reason.hasPrefix("improving: "))
        #expect(ward7.since != nil)
        #expect(ward7.points == 24)
        #expect(ward7.baselineCentre.map { abs($0 - 0.006) < 1e-9 } == true, "12 baseline weeks average 6 per 1,000")
        #expect(ward7.currentCentre.map { abs($0 - 0.002) < 1e-9 } == true)
        let ward9 = try #require(progress.measures.first { $0.measure == "falls-rate" && $0.unit == "ward-9" })
        #expect(ward9.verdict == .noSignal)
        let restraint = try #require(progress.measures.first { $0.measure == "restraint" && $0.unit == "ward-7" })
        #expect(restraint.verdict == .deteriorating)
        let north = try #require(
            progress.measures.first { $0.measure == "falls-rate" && $0.unit == nil && $0.site == "north" })
        #expect(north.points == 24, "a site pools its units period by period")
    }

    @Test func balancingHarmStaleDataAndPeersAreFlagged() throws {
        let (progress, _) = try ProgressAnalysis.review(store: try makeStore(), programme: "falls")
        let harm = progress.flags.filter { $0.kind == .balancingHarm }
        #expect(harm.contains { $0.measure == "restraint" && $0.unit == "ward-7" })
        #expect(harm.first?.message.contains("Falls per 1,000 bed days") == true)
        let stale = progress.flags.filter { $0.kind == .stale }
        #expect(stale.map(\.measure) == ["audits"])
        let audits = try #require(progress.measures.first { $0.measure == "audits" && $0.unit == "ward-7" })
        #expect(audits.lastPeriod == "2026-04-20")
        #expect(audits.daysSinceLastData == 42)
        #expect(audits.expectedPoints == 25 && audits.points == 18)
        let peers = try #require(progress.peers.first { $0.measure == "falls-rate" })
        #expect(
            peers.sites.map(\.site) == ["south", "north"], "fewer falls is better: south's 3 per 1,000 ranks first")
    }

    @Test func dataQualityFindsGapsConflictsOutliersAndLateEdits() throws {
        let store = try makeStore()
        // A late correction of one week, and an unexplained spike.
        try store.write(author: "ben") { writer in
            try writer.record(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-9", period: Self.weeks[20], numerator: 40, denominator: 1000))
        }
        let peer = try ImprovementStore.inMemory(replica: "peer")
        try peer.apply(try store.allChanges())
        try peer.write(author: "cat") { writer in
            try writer.record(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-9", period: Self.weeks[21], numerator: 9, denominator: 1000))
        }
        try store.write(author: "dan") { writer in
            try writer.record(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-9", period: Self.weeks[21], numerator: 7, denominator: 1000))
        }
        try store.apply(try peer.allChanges())

        let (_, quality) = try ProgressAnalysis.review(store: store, programme: "falls")
        let gaps = try #require(quality.missing.first { $0.measure == "audits" })
        #expect(
            gaps.recent.first == "2026-02-02" && gaps.count == 6,
            "one gap in the middle and five weeks since it stopped")
        #expect(
            quality.overwritten.contains { $0.observation == "falls-rate/ward-9/2026-05-11" && $0.field == "numerator" }
        )
        #expect(quality.unexplainedOutliers.contains { $0.unit == "ward-9" && $0.period == "2026-05-04" })
        let edit = try #require(quality.editedAfterTheFact.first { $0.observation == "falls-rate/ward-9/2026-05-04" })
        #expect(edit.recordedBy == "amy" && edit.edits.map(\.author) == ["ben"])
    }
}
