import Foundation
import ImprovementTestSupport
import Testing

/// Issue 11 through the real `improve` binary: values in the units people read, series that stay
/// whole, negative values where they make sense, and one verdict across chart, progress and quality.
@Suite("Expressed values and verdicts")
struct ExpressedValuesTests {
    /// A ward device with a rate per 1,000 bed days and 24 weeks of data (5.6 per 1,000 at the end).
    func device(in folder: TemporaryFolder) throws -> Device {
        let device = Device("ward", user: "nurse.patel", in: folder)
        try device.initialise(site: "north", replica: "ward")
        try device.ok(["site", "add", "north", "--name", "North Hospital"])
        try device.ok(["unit", "add", "ward-7", "--site", "north", "--name", "Ward 7"])
        try device.ok(["programme", "add", "falls", "--name", "Falls", "--aim", "Reduce falls by 30% by June 2027"])
        try device.ok([
            "measure", "add", "falls-rate", "--programme", "falls", "--name", "Falls per 1,000 bed days", "--type",
            "outcome", "--chart", "u", "--frequency", "week", "--direction", "down", "--multiplier", "1000",
            "--expressed-as", "per 1,000 bed days", "--target", "4",
        ])
        return device
    }

    @Test func theTextShowsWhatPeopleReadAndTheJSONKeepsRawValues() throws {
        let folder = try TemporaryFolder()
        let device = try device(in: folder)
        // 13 falls per 1,000 bed days for twelve weeks, then 5.6 (28 in 5,000) after a change.
        for week in 0..<24 {
            let numerator = week < 12 ? [13.0, 12, 14][week % 3] : 28
            let denominator = week < 12 ? 1000.0 : 5000
            try device.ok([
                "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(24 - week), "--numerator",
                String(Int(numerator)), "--denominator", String(Int(denominator)),
            ])
        }
        try device.ok([
            "annotate", "falls-rate", "--date", Dates.week(12), "--text", "Bay nursing", "--phase", "--unit", "ward-7",
        ])

        let text = try device.ok(["chart", "falls-rate", "--unit", "ward-7"]).output
        #expect(text.contains("(values per 1,000 bed days)"), "\(text)")
        #expect(text.contains("  5.6  "), "the last value reads 5.6, not 0.0056:\n\(text)")
        #expect(!text.contains("0.0056"))
        #expect(text.contains("── phase 2 from ") && text.contains(": Bay nursing ──"), "\(text)")
        #expect(text.contains("Verdict — improving"), "\(text)")

        let json = try device.ok(["chart", "falls-rate", "--unit", "ward-7", "--json"]).json() as? [String: Any]
        #expect(json?["multiplier"] as? Double == 1000)
        #expect(json?["expressedAs"] as? String == "per 1,000 bed days")
        let points = json?["points"] as? [[String: Any]]
        #expect((points?.last?["value"] as? Double).map { abs($0 - 0.0056) < 1e-12 } == true)
        let verdict = json?["verdict"] as? [String: Any]
        #expect(verdict?["verdict"] as? String == "improving")
        #expect((json?["phases"] as? [[String: Any]])?.count == 2)
        let signals = json?["signals"] as? [[String: Any]] ?? []
        #expect(!signals.isEmpty && signals.allSatisfy { $0["direction"] != nil && $0["against"] != nil })
        #expect(json?["warnings"] is [[String: Any]])

        // The run chart of the same data says the same: the change is an improvement.
        let run = try device.ok(["chart", "falls-rate", "--unit", "ward-7", "--kind", "run"]).output
        #expect(run.contains("Verdict — improving"), "\(run)")

        // progress states the same verdict, in the same units, and --json keeps raw numbers.
        let progress = try device.ok(["progress"]).output
        #expect(progress.contains("improving"))
        #expect(progress.contains("5.6"), "\(progress)")
        #expect(progress.contains("per 1,000 bed days (Falls per 1,000 bed days)"), "\(progress)")
        let rows = try device.ok(["progress", "--json"]).json() as? [String: Any]
        let row = (rows?["measures"] as? [[String: Any]])?.first { $0["unit"] as? String == "ward-7" }
        #expect(row?["verdict"] as? String == "improving")
        #expect(row?["multiplier"] as? Double == 1000)
        #expect((row?["currentCentre"] as? Double).map { abs($0 - 0.0056) < 1e-12 } == true)
        #expect((row?["target"] as? Double).map { abs($0 - 0.004) < 1e-12 } == true, "--target 4 means 4 per 1,000")
        #expect(row?["targetMet"] as? Bool == false)

        let show = try device.ok(["measure", "show", "falls-rate"]).output
        #expect(show.contains("4 per 1,000 bed days"))
    }

    @Test func aMeasureWithDataKeepsItsFrequencyAndChartShape() throws {
        let folder = try TemporaryFolder()
        let device = try device(in: folder)
        try device.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(3), "--numerator", "3", "--denominator",
            "400",
        ])
        let pending = try device.pending()
        let monthly = try device.run([
            "measure", "add", "falls-rate", "--programme", "falls", "--name", "Falls per 1,000 bed days", "--type",
            "outcome", "--chart", "u", "--frequency", "month", "--direction", "down", "--replace",
        ])
        #expect(monthly.status == 1)
        #expect(monthly.error.contains("already has 1 data point"), "\(monthly.error)")
        #expect(monthly.error.contains("improve measure convert falls-rate --frequency month"))
        #expect(monthly.error.contains("Nothing was saved."))
        let value = try device.run([
            "measure", "add", "falls-rate", "--programme", "falls", "--name", "Falls per 1,000 bed days", "--type",
            "outcome", "--chart", "c", "--frequency", "week", "--direction", "down", "--replace",
        ])
        #expect(value.status == 1 && value.error.contains("changing its chart from u to c"), "\(value.error)")
        #expect(try device.pending() == pending, "a refused change logs nothing")
        let shown = try device.ok(["measure", "show", "falls-rate", "--json"]).json() as? [String: Any]
        #expect(shown?["frequency"] as? String == "week" && shown?["chart"] as? String == "u")
        // One chart enum for measures and charts, but a measure is never an MR chart.
        let mr = try device.run([
            "measure", "add", "moving", "--programme", "falls", "--name", "Moving", "--type", "process", "--chart",
            "mr", "--frequency", "week", "--direction", "down",
        ])
        #expect(mr.status == 1 && mr.error.contains("improve chart --kind mr"), "\(mr.error)")
        // A compatible chart (u′ reads the same numerators and denominators) is still allowed.
        try device.ok([
            "measure", "add", "falls-rate", "--programme", "falls", "--name", "Falls per 1,000 bed days", "--type",
            "outcome", "--chart", "up", "--frequency", "week", "--direction", "down", "--replace",
            "--multiplier", "1000",
        ])
    }

    @Test func anExplicitConversionMergesThePeriodsAndSaysHowMany() throws {
        let folder = try TemporaryFolder()
        let device = try device(in: folder)
        let weeks = (1...9).map { Dates.week($0) }
        for (index, week) in weeks.enumerated() {
            try device.ok([
                "record", "falls-rate", "--unit", "ward-7", "--period", week, "--numerator", String(index + 1),
                "--denominator", "100",
            ])
        }
        let months = Dictionary(grouping: weeks.enumerated(), by: { String($0.element.prefix(7)) })
        let dry = try device.ok(["measure", "convert", "falls-rate", "--frequency", "month", "--dry-run"]).output
        #expect(dry.contains("9 weekly points at 1 unit would become \(months.count) monthly points"), "\(dry)")
        #expect(dry.contains("Nothing was saved."))
        #expect(try device.observations(["--measure", "falls-rate"]).count == 9)

        let done = try device.ok(["measure", "convert", "falls-rate", "--frequency", "month"]).output
        #expect(done.contains("(\(9 - months.count) merged; numerators and denominators added up)"), "\(done)")
        let points = try device.observations(["--measure", "falls-rate"])
        #expect(points.count == months.count)
        for (month, entries) in months {
            let point = points.first { ($0["period"] as? String)?.hasPrefix(month) == true }
            #expect(point?["numerator"] as? Double == Double(entries.map { $0.offset + 1 }.reduce(0, +)))
            #expect(point?["denominator"] as? Double == Double(100 * entries.count))
            #expect((point?["period"] as? String)?.hasSuffix("-01") == true)
        }
        let shown = try device.ok(["measure", "show", "falls-rate", "--json"]).json() as? [String: Any]
        #expect(shown?["frequency"] as? String == "month")
        // Points are merged, never split.
        let back = try device.run(["measure", "convert", "falls-rate", "--frequency", "week"])
        #expect(back.status == 1 && back.error.contains("merged, never split"), "\(back.error)")
    }

    @Test func negativeValuesWhereTheMeasureAllowsThem() throws {
        let folder = try TemporaryFolder()
        let device = try device(in: folder)
        try device.ok([
            "measure", "add", "weight-change", "--programme", "falls", "--name", "Weight change (kg)", "--type",
            "balancing", "--chart", "i", "--frequency", "week", "--direction", "up", "--allow-negative",
        ])
        try device.ok(["record", "weight-change", "--unit", "ward-7", "--period", Dates.week(2), "--value", "-1.5"])
        try device.ok(["record", "weight-change", "--unit", "ward-7", "--period", Dates.week(1), "--value", "0.5"])
        let points = try device.observations(["--measure", "weight-change"])
        #expect(points.compactMap { $0["value"] as? Double }.sorted() == [-1.5, 0.5])

        // Counts, rates and proportions still refuse them, as does an I chart not marked so.
        let rate = try device.run([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(1), "--numerator", "-1",
            "--denominator", "400",
        ])
        #expect(rate.status == 1 && rate.error.contains("cannot be negative"))
        try device.ok([
            "measure", "add", "waiting", "--programme", "falls", "--name", "Minutes waited", "--type", "process",
            "--chart", "i", "--frequency", "week", "--direction", "down",
        ])
        let plain = try device.run([
            "record", "waiting", "--unit", "ward-7", "--period", Dates.week(1), "--value", "-3",
        ])
        #expect(plain.status == 1 && plain.error.contains("cannot be negative"))
        let counts = try device.run([
            "measure", "add", "falls-count", "--programme", "falls", "--name", "Falls", "--type", "outcome", "--chart",
            "c", "--frequency", "week", "--direction", "down", "--allow-negative",
        ])
        #expect(counts.status != 0 && counts.error.contains("--allow-negative is for run and i charts"))
    }

    /// An astronomical week in the baseline, then an exclusion with a reason: the chart marks it,
    /// quality lists it until it is explained, and progress, chart and quality agree throughout.
    @Test func anExcludedSpecialCauseLeavesTheLimits() throws {
        let folder = try TemporaryFolder()
        let device = try device(in: folder)
        try device.ok([
            "measure", "add", "falls-count", "--programme", "falls", "--name", "Falls", "--type", "outcome", "--chart",
            "c", "--frequency", "week", "--direction", "down",
        ])
        let phase1: [Int] = [3, 2, 4, 3, 14, 3, 2, 4, 3, 3, 2, 4]
        let phase2: [Int] = [3, 3, 2, 3, 3, 2, 3, 3, 2, 3, 3, 3]
        for (week, value) in (phase1 + phase2).enumerated() {
            try device.ok([
                "record", "falls-count", "--unit", "ward-7", "--period", Dates.week(24 - week), "--value",
                String(value),
            ])
        }
        try device.ok(["annotate", "falls-count", "--date", Dates.week(12), "--text", "Huddles", "--phase"])

        func verdicts() throws -> (chart: String, progress: String, quality: [String]) {
            let chart = try device.ok(["chart", "falls-count", "--unit", "ward-7", "--json"]).json() as? [String: Any]
            let progress = try device.ok(["progress", "--json"]).json() as? [String: Any]
            let row = (progress?["measures"] as? [[String: Any]])?.first {
                $0["measure"] as? String == "falls-count" && $0["unit"] as? String == "ward-7"
            }
            let quality = try device.ok(["quality", "--json"]).json() as? [String: Any]
            let outside = (quality?["unexplainedOutliers"] as? [[String: Any]] ?? []).filter {
                $0["measure"] as? String == "falls-count" && $0["unit"] as? String == "ward-7"
            }
            return (
                (chart?["verdict"] as? [String: Any])?["verdict"] as? String ?? "", row?["verdict"] as? String ?? "",
                outside.compactMap { $0["period"] as? String }
            )
        }
        let before = try verdicts()
        #expect(before.chart == "unstable-baseline" && before.progress == before.chart)
        #expect(before.quality == [Dates.week(20)])
        let flags = try device.ok(["progress"]).output
        let words = flags.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("holds an unexplained special cause"), "\(flags)")

        try device.ok([
            "annotate", "falls-count", "--date", Dates.week(20, plus: 2), "--text", "Norovirus outbreak", "--exclude",
            "--unit", "ward-7",
        ])
        let after = try verdicts()
        #expect(after.chart == "no-signal" && after.progress == after.chart)
        #expect(after.quality.isEmpty)
        let text = try device.ok(["chart", "falls-count", "--unit", "ward-7"]).output
        #expect(text.contains("excluded: Norovirus outbreak"), "\(text)")
        let quality = try device.ok(["quality"]).output
        // By name: the measure, the unit and the week (written out, not ISO).
        #expect(quality.contains("excluded from limits: Falls at Ward 7, "), "\(quality)")
        #expect(quality.contains(": Norovirus outbreak") && !quality.contains(Dates.week(20)), "\(quality)")
    }
}
