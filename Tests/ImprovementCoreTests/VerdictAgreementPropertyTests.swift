import Foundation
import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// For random series in a real store (random chart kinds, levels, shifts, outliers, notes,
/// phases and exclusions, unit and site scopes), what `progress` says, the signals `chart`
/// lists and the outside points `quality` lists come from one result and never disagree.
///
/// `IMPROVE_PROPERTY_CASES` sets the number of cases (default 200); `IMPROVE_PROPERTY_SEED`
/// replays a failure (the failing seed is printed).
struct VerdictAgreementPropertyTests {
    @Test func progressChartAndQualityNeverDisagree() throws {
        let environment = ProcessInfo.processInfo.environment
        let cases = environment["IMPROVE_PROPERTY_CASES"].flatMap(Int.init).map { max(1, $0 / 5) } ?? 200
        let firstSeed =
            environment["IMPROVE_PROPERTY_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max / 2)
        for index in 0..<cases {
            let seed = firstSeed &+ UInt64(index)
            let problems = try check(seed: seed)
            #expect(
                problems.isEmpty,
                "seed \(seed) failed; replay with IMPROVE_PROPERTY_SEED=\(seed) IMPROVE_PROPERTY_CASES=1:\n\(problems.joined(separator: "\n"))"
            )
            if !problems.isEmpty { return }
        }
    }

    func check(seed: UInt64) throws -> [String] {
        var random = SeededRandom(seed: seed)
        let store = try ImprovementStore.inMemory(replica: "property")
        let charts: [Measure.Chart] = [.run, .i, .p, .u, .c, .pp, .up, .g]
        let chart = charts[Int(random.next() % UInt64(charts.count))]
        let frequency: Measure.Frequency = random.next() % 2 == 0 ? .week : .day
        let weeks = 3 + Int(random.next() % 40)
        let today = store.today
        let periods = (0..<weeks).map { index -> Day in
            frequency == .week
                ? today.startOfWeek.adding(days: -7 * (weeks - index)) : today.adding(days: -(weeks - index))
        }
        try store.write(author: "coordinator") { writer in
            try writer.save(Site(id: "north", name: "North"))
            try writer.save(Unit(id: "ward-1", site: "north", name: "Ward 1"))
            try writer.save(Unit(id: "ward-2", site: "north", name: "Ward 2"))
            try writer.save(Programme(id: "prog", name: "Programme", aim: "Reduce falls by 30% by June 2027"))
            try writer.save(
                Measure(
                    id: "m", programme: "prog", name: "Measure", type: .outcome, chart: chart, frequency: frequency,
                    direction: random.next() % 2 == 0 ? .up : .down))
        }
        let shiftAt = Int(random.next() % UInt64(weeks))
        try store.write(author: "nurse") { writer in
            for unit in ["ward-1", "ward-2"] {
                for (index, period) in periods.enumerated() where random.next() % 8 != 0 {
                    var level = Double(5 + random.next() % 10) + (index >= shiftAt ? Double(random.next() % 6) : 0)
                    if random.next() % 15 == 0 { level *= 4 }  // an occasional astronomical point
                    let note: String? = random.next() % 6 == 0 ? "explained" : nil
                    let entry: ObservationEntry
                    if chart.needsNumeratorAndDenominator {
                        let denominator = Double(20 + random.next() % 200)
                        let numerator = chart.isProportion ? min(denominator, level) : level
                        entry = ObservationEntry(
                            measure: "m", unit: unit, period: period, numerator: numerator, denominator: denominator,
                            note: note)
                    } else {
                        entry = ObservationEntry(measure: "m", unit: unit, period: period, value: level, note: note)
                    }
                    try writer.record(entry)
                }
            }
            for number in 0..<Int(random.next() % 4) {
                let period = periods[Int(random.next() % UInt64(weeks))]
                let unit: String? = random.next() % 2 == 0 ? "ward-\(1 + random.next() % 2)" : nil
                let excludes = random.next() % 2 == 0
                try writer.save(
                    Annotation(
                        id: "note-\(number)", measure: "m", site: unit == nil && random.next() % 4 == 0 ? nil : "north",
                        unit: unit, date: min(today, period.adding(days: Int(random.next() % 3))),
                        text: "note \(number)", startsPhase: !excludes, excludesPoint: excludes))
            }
        }

        var problems: [String] = []
        let (progress, quality) = try ProgressAnalysis.review(store: store)
        let measure = try #require(try store.record(Measure.self, id: "m"))
        for (site, unit) in [("north", "ward-1"), ("north", "ward-2"), ("north", nil)] as [(String, String?)] {
            let series = try ChartSeries.load(
                store: store, measure: measure, site: unit == nil ? site : nil, unit: unit)
            let row = progress.measures.first { $0.site == site && $0.unit == unit }
            guard !series.inputs.isEmpty else {
                if row != nil { problems.append("\(unit ?? site): progress has a row for an empty series") }
                continue
            }
            guard let row else {
                problems.append("\(unit ?? site): no progress row")
                continue
            }
            let chartResult: ChartResult
            do { chartResult = try ChartAnalysis.analyse(series) } catch {
                problems.append("\(unit ?? site): the chart cannot be drawn: \(error)")
                continue
            }
            let place = unit ?? "\(site) (all)"
            if row.verdict != chartResult.verdict.verdict || row.reason != chartResult.verdict.reason {
                problems.append("\(place): progress says \(row.reason), chart says \(chartResult.verdict.reason)")
            }
            if row.currentCentre != chartResult.centre {
                problems.append(
                    "\(place): progress current \(String(describing: row.currentCentre)), chart \(String(describing: chartResult.centre))"
                )
            }
            // The verdict rests on a signal the chart lists, in the measure's direction.
            if let index = chartResult.verdict.signal {
                let signal = chartResult.signals[index]
                switch chartResult.verdict.verdict {
                case .improving where signal.direction != .improvement,
                    .deteriorating where signal.direction != .concern:
                    problems.append("\(place): verdict \(row.verdict) rests on a \(signal.direction) signal")
                default: break
                }
            } else if [.improving, .deteriorating, .unstableBaseline, .unclear].contains(chartResult.verdict.verdict) {
                problems.append("\(place): verdict \(row.verdict) without a signal")
            }
            // quality lists exactly the chart's unexplained outside points, baseline ones first.
            let listed = quality.unexplainedOutliers.filter { $0.site == site && $0.unit == unit }
            let expected = chartResult.unexplainedOutside.map { series.inputs[$0.index].period }
            if listed.map(\.period).sorted() != expected.sorted() {
                problems.append("\(place): quality lists \(listed.map(\.period)), the chart draws \(expected) outside")
            }
            for point in listed {
                guard let index = series.inputs.firstIndex(where: { $0.period == point.period }) else { continue }
                let plotted = chartResult.points[index]
                if !plotted.outside || plotted.excluded || plotted.explained {
                    problems.append("\(place): quality lists \(point.period) which the chart draws inside or explained")
                }
            }
            let excludedListed = Set(quality.excludedPoints.filter { $0.site == site && $0.unit == unit }.map(\.period))
            let excludedDrawn = Set(chartResult.points.filter(\.excluded).map(\.period))
            if excludedListed != excludedDrawn {
                problems.append("\(place): quality excludes \(excludedListed), the chart \(excludedDrawn)")
            }
        }
        return problems
    }
}
