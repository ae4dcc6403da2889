import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

/// `improve compare` (funnel plots) and the T chart through the real `improve` binary.
@Suite("Comparing units")
struct CompareTests {
    let folder: URL
    let store: String

    /// Five wards at two sites assessing patients (a p measure, higher is better), with the totals
    /// of FunnelPlotTests two weeks ago, an older week that --from leaves out, and a t measure.
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("improve-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = folder.appendingPathComponent("store.sqlite").path
        let store = try ImprovementStore(path: store)
        let recent = store.today.startOfWeek.adding(days: -14)
        let old = store.today.startOfWeek.adding(days: -7 * 16)
        try store.write(author: "coordinator") { writer in
            try writer.save(Site(id: "north", name: "North Hospital"))
            try writer.save(Site(id: "south", name: "South Hospital"))
            for (id, site) in [
                ("ward-a", "north"), ("ward-b", "north"), ("ward-c", "south"), ("ward-d", "south"), ("ward-e", "south"),
            ] {
                try writer.save(Unit(id: id, site: site, name: "Ward " + id.suffix(1).uppercased()))
            }
            try writer.save(
                Programme(id: "safety", name: "Safer care", aim: "Assess every patient for falls risk by June 2027"))
            try writer.save(
                Measure(
                    id: "assessed", programme: "safety", name: "Patients assessed", type: .process, chart: .p,
                    frequency: .week, direction: .up, target: 0.25))
            try writer.save(
                Measure(
                    id: "never-events", programme: "safety", name: "Days between never events", type: .outcome,
                    chart: .t, frequency: .day, direction: .up))
        }
        try store.write(author: "sister.okafor") { writer in
            for (unit, numerator, denominator) in [
                ("ward-a", 30.0, 100.0), ("ward-b", 100, 500), ("ward-c", 200, 1000), ("ward-d", 85, 400),
                ("ward-e", 5, 100),
            ] {
                try writer.record(
                    ObservationEntry(
                        measure: "assessed", unit: unit, period: recent, numerator: numerator, denominator: denominator)
                )
            }
            try writer.record(
                ObservationEntry(measure: "assessed", unit: "ward-e", period: old, numerator: 95, denominator: 100))
            for (event, days) in [10.0, 20, 5, 40, 15, 25, 30, 8, 12, 50, 35, 18].enumerated() {
                try writer.record(
                    ObservationEntry(
                        measure: "never-events", unit: "ward-a", period: store.today.adding(days: -400 + 30 * event),
                        value: days))
            }
            // Ward B's one event falls 5 days after Ward A's fourth: the site saw events 5 and 25 days apart.
            try writer.record(
                ObservationEntry(
                    measure: "never-events", unit: "ward-b", period: store.today.adding(days: -400 + 30 * 3 + 5),
                    value: 95))
        }
    }

    func improve(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let result = try Processes.run(
            try Binaries.path("improve"), arguments + ["--store", store],
            environment: ProcessInfo.processInfo.environment, folder: folder.path)
        return (result.status, result.output, result.error)
    }

    @Test func namesTheUnitsOutsideTheFunnel() throws {
        let from = try recentFrom()
        let text = try improve(["compare", "assessed", "--from", from])
        #expect(text.status == 0, "\(text.error)")
        #expect(text.output.contains("Pooled: 20%"))
        #expect(text.output.contains("Outside the 99.8% limits: Ward E (5%, lower — worse than the rest)."))
        #expect(text.output.contains("Outside the 95% limits only: Ward A (30%, higher — better than the rest)."))
        #expect(text.output.contains("Within the limits: 3 of 5"))
        #expect(text.output.split(separator: "\n").allSatisfy { $0.count <= 80 })

        // The older week of Ward E (95/100) counts without --from: it is no longer an outlier below.
        let all = try improve(["compare", "assessed"])
        #expect(all.status == 0 && !all.output.contains("Ward E (5%"))

        let json = try improve(["compare", "assessed", "--from", from, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["pooled"] as? Double == 0.2)
        #expect(object["statistic"] as? String == "proportion")
        let entries = try #require(object["entries"] as? [[String: Any]])
        let a = try #require(entries.first { $0["id"] as? String == "ward-a" })
        #expect(a["position"] as? String == "outside-95")
        #expect(abs((a["upper95"] as? Double ?? 0) - 0.278_398_6) < 1e-6)
        #expect(entries.first { $0["id"] as? String == "ward-e" }?["position"] as? String == "outside-99.8")

        // Overdispersion (φ = 1.703125) pulls Ward A inside and Ward E to the 95% band.
        let wide = try improve(["compare", "assessed", "--from", from, "--overdispersion", "--json"])
        let widened = try #require(try JSONSerialization.jsonObject(with: Data(wide.output.utf8)) as? [String: Any])
        #expect(abs((widened["phi"] as? Double ?? 0) - 1.703_125) < 1e-9)
        let wideEntries = try #require(widened["entries"] as? [[String: Any]])
        #expect(wideEntries.first { $0["id"] as? String == "ward-a" }?["position"] as? String == "within")

        // Sites, their units pooled: North 130/600, South 290/1500.
        let sites = try improve(["compare", "assessed", "--from", from, "--by", "site", "--json"])
        let bySite = try #require(try JSONSerialization.jsonObject(with: Data(sites.output.utf8)) as? [String: Any])
        let siteEntries = try #require(bySite["entries"] as? [[String: Any]])
        #expect(siteEntries.map { $0["name"] as? String } == ["South Hospital", "North Hospital"])

        let one = try improve(["compare", "assessed", "--from", from, "--site", "north", "--json"])
        let north = try #require(try JSONSerialization.jsonObject(with: Data(one.output.utf8)) as? [String: Any])
        #expect((north["entries"] as? [[String: Any]])?.count == 2)
    }

    @Test func refusesWhatItCannotCompare() throws {
        let wrong = try improve(["compare", "never-events"])
        #expect(wrong.status != 0 && wrong.error.contains("a funnel plot compares proportions or rates"))
        let missing = try improve(["compare", "nope"])
        #expect(missing.status != 0 && missing.error.contains("There is no measure \"nope\""))
        let backwards = try improve(["compare", "assessed", "--from", "2026-05-01", "--to", "2026-04-01"])
        #expect(backwards.status != 0 && backwards.error.contains("is before --from"))
        let empty = try improve(["compare", "assessed", "--to", "2000-01-01"])
        #expect(empty.status != 0 && empty.error.contains("no data points"))
    }

    @Test func tChartThroughTheBinary() throws {
        let json = try improve(["chart", "never-events", "--unit", "ward-a", "--json"])
        #expect(json.status == 0, "\(json.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["kind"] as? String == "t")
        #expect(abs((object["centre"] as? Double ?? 0) - 19.3837) < 1e-3)
        // The site pools events, not values: days from one event to the next at either ward.
        let site = try improve(["chart", "never-events", "--site", "north", "--json"])
        let pooled = try #require(try JSONSerialization.jsonObject(with: Data(site.output.utf8)) as? [String: Any])
        let values = try #require(pooled["points"] as? [[String: Any]]).map { $0["value"] as? Double }
        #expect(values == [10, 30, 30, 30, 5, 25, 30, 30, 30, 30, 30, 30, 30])
        let text = try improve(["chart", "never-events", "--unit", "ward-a"])
        #expect(text.output.contains("Variation (Making Data Count): common cause"))
        let zero = try improve([
            "record", "never-events", "--unit", "ward-a", "--period", try recentFrom(), "--value", "0",
        ])
        #expect(zero.status != 0 && zero.error.contains("above 0") && zero.error.contains("Nothing was saved."))
    }

    @Test func theReportDrawsTheFunnel() throws {
        let out = folder.appendingPathComponent("report.html").path
        let written = try improve(["report", "--out", out])
        #expect(written.status == 0, "\(written.error)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains("Fair comparison of units (funnel plots)"))
        #expect(html.contains("class=\"funnel-unit concern\""), "Ward E, below the 99.8% limits, is drawn as a concern")
        #expect(html.contains("class=\"funnel-unit improvement\""))
        #expect(html.contains("Ward E (5%, worse, outside the 99.8% limits)"))
        #expect(html.components(separatedBy: "class=\"funnel-limit\"").count - 1 == 4, "two curves per level")
        #expect(!html.contains("<script"))
    }

    @Test func progressStatesVariationAndAssurance() throws {
        let json = try improve(["progress", "--json"])
        #expect(json.status == 0, "\(json.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let rows = try #require(object["measures"] as? [[String: Any]])
        // Ward A's one point: p̄ 0.3 ± 3√(0.3 × 0.7/100) = 0.16 to 0.44, so a target of 25% is hit and miss.
        let wardA = try #require(
            rows.first { $0["measure"] as? String == "assessed" && $0["unit"] as? String == "ward-a" })
        #expect(wardA["variation"] as? String == "common-cause")
        #expect(wardA["assurance"] as? String == "hit-and-miss")
        let text = try improve(["progress"])
        #expect(text.output.contains("Variation and assurance (Making Data Count):"))
        #expect(text.output.contains("Patients assessed at Ward A: common cause; hit and miss"))
        let chart = try improve(["chart", "assessed", "--unit", "ward-a"])
        #expect(chart.output.contains("Assurance: hit and miss — the target lies inside the process limits"))
    }

    /// The Monday two weeks ago, as the store's clock sees it.
    private func recentFrom() throws -> String {
        try ImprovementStore(path: store).today.startOfWeek.adding(days: -14).description
    }
}
