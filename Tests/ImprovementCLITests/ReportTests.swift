import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

/// Reviewing progress through the real `improve` binary: the terminal chart, its JSON, the
/// progress table, and the HTML report opened in a real headless Chromium.
@Suite("Reviewing progress")
struct ReportTests {
    /// A store with 24 weeks of falls at two wards (one improving after an annotated change),
    /// a balancing measure, a driver diagram, a PDSA cycle and a story.
    static func makeStore(at path: String) throws {
        let store = try ImprovementStore(path: path)
        let today = store.today.startOfWeek
        try store.write(author: "coordinator") { writer in
            try writer.save(Site(id: "north", name: "North Hospital"))
            try writer.save(Unit(id: "ward-7", site: "north", name: "Ward 7"))
            try writer.save(Unit(id: "ward-9", site: "north", name: "Ward 9"))
            try writer.save(
                Programme(id: "falls", name: "Fewer falls", aim: "Reduce inpatient falls by 30% by June 2027"))
            try writer.save(
                Measure(
                    id: "falls-rate", programme: "falls", name: "Falls per 1,000 bed days", type: .outcome, chart: .u,
                    frequency: .week, direction: .down, target: 0.003,
                    definition: OperationalDefinition(
                        numerator: "Falls reported on Datix", denominator: "Occupied bed days"),
                    multiplier: 1000, expressedAs: "per 1,000 bed days"))
            try writer.save(
                Measure(
                    id: "restraint", programme: "falls", name: "Patients restrained", type: .balancing, chart: .i,
                    frequency: .week, direction: .down))
            try writer.save(DriverNode(id: "d1", programme: "falls", kind: .primary, text: "Reliable risk assessment"))
            try writer.save(
                DriverNode(id: "d2", programme: "falls", kind: .secondary, text: "Assess on admission", parent: "d1"))
            try writer.save(
                DriverNode(id: "c1", programme: "falls", kind: .change, text: "Bedside checklist", parent: "d2"))
            // A change idea straight off a primary driver, with the measure that tracks it.
            try writer.save(
                DriverNode(
                    id: "c2", programme: "falls", kind: .change, text: "Falls huddle at handover", parent: "d1",
                    measures: ["falls-rate"]))
            try writer.save(
                Annotation(
                    id: "a2", measure: "falls-rate", date: today.adding(days: -7 * 6),
                    text: "Bay nursing + falls huddle introduced on every night shift, led by the nurse in charge"))
            try writer.save(
                Annotation(
                    id: "a1", measure: "falls-rate", date: today.adding(days: -7 * 12), text: "Checklist started",
                    startsPhase: true))
        }
        try store.write(author: "sister.okafor") { writer in
            for week in 0..<24 {
                let period = today.adding(days: -7 * (24 - week))
                let falls = week >= 12 ? [2.0, 1, 2, 3][week % 4] : [6.0, 5, 7, 6][week % 4]
                try writer.record(
                    ObservationEntry(
                        measure: "falls-rate", unit: "ward-7", period: period, numerator: falls, denominator: 1000))
                // Ward 9 sent nothing for two weeks: the charts must show the gap.
                if week != 15 && week != 16 {
                    try writer.record(
                        ObservationEntry(
                            measure: "falls-rate", unit: "ward-9", period: period, numerator: [4.0, 5, 4, 6][week % 4],
                            denominator: 1000))
                }
                try writer.record(
                    ObservationEntry(
                        measure: "restraint", unit: "ward-7", period: period,
                        value: week >= 12 ? [8.0, 9, 10, 9][week % 4] : [2.0, 3, 2, 3][week % 4]))
            }
            try writer.save(
                PDSACycle(
                    id: "p1", changeIdea: "c1", site: "north", unit: "ward-7", title: "Checklist on nights",
                    plan: "Use the checklist for every admission for two weeks",
                    prediction: "Fewer falls in the first 72 hours",
                    study: "Falls halved; checklist done for 9 in 10 admissions", act: .adopt))
            try writer.save(
                Story(
                    id: "s1", kind: .patient, site: "north", unit: "ward-7", measure: "falls-rate",
                    date: today.adding(days: -20),
                    text: "I felt safer knowing someone would come when I rang <at night>."))
        }
    }

    let folder: URL
    let store: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("improve-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = folder.appendingPathComponent("store.sqlite").path
        try Self.makeStore(at: store)
    }

    func improve(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let result = try Processes.run(
            try Binaries.path("improve"), arguments + ["--store", store],
            environment: ProcessInfo.processInfo.environment, folder: folder.path)
        return (result.status, result.output, result.error)
    }

    @Test func chartDrawsInTheTerminalAndAsJSON() throws {
        let text = try improve(["chart", "falls-rate", "--unit", "ward-7"])
        #expect(text.status == 0, "\(text.error)")
        #expect(text.output.split(separator: "\n").allSatisfy { $0.count <= 80 }, "readable at 80 columns")
        #expect(text.output.contains("Falls per 1,000 bed days — unit ward-7 — u chart"))
        #expect(text.output.contains("■"), "the shift after the checklist is marked as an improvement")

        let json = try improve(["chart", "falls-rate", "--unit", "ward-7", "--json"])
        guard case .object(let chart) = try JSONParser.parse(Data(json.output.utf8)) else {
            Issue.record("chart --json is not an object")
            return
        }
        #expect(
            Set(chart.keys) == [
                "measure", "kind", "multiplier", "expressedAs", "better", "centre", "points", "runs", "phases",
                "signals",
                "warnings", "verdict", "variation", "assurance",
            ])
        #expect(chart["kind"] == .string("u"))
        guard case .array(let points)? = chart["points"], case .object(let first)? = points.first else {
            Issue.record("no points")
            return
        }
        #expect(points.count == 24)
        #expect(
            Set(first.keys) == [
                "period", "value", "numerator", "denominator", "centre", "lcl", "ucl", "outside", "phase", "excluded",
                "explained", "variation",
            ])
        #expect(first["value"] == .number(0.006), "rates are per one unit of denominator")

        let run = try improve(["chart", "falls-rate", "--unit", "ward-7", "--kind", "run", "--json"])
        guard case .object(let runChart) = try JSONParser.parse(Data(run.output.utf8)),
            case .array(let runPoints)? = runChart["points"],
            case .object(let runPoint)? = runPoints.first
        else {
            Issue.record("run chart JSON malformed")
            return
        }
        #expect(runPoint["lcl"] == .null && runPoint["ucl"] == .null, "a run chart has no limits")

        let missing = try improve(["chart", "nope"])
        #expect(missing.status != 0 && missing.error.contains("There is no measure \"nope\""))
    }

    @Test func progressShowsVerdictsAndTheBalancingFlag() throws {
        let result = try improve(["progress", "--json"])
        #expect(result.status == 0, "\(result.error)")
        let report = try JSONDecoder().decode(ProgressReport.self, from: Data(result.output.utf8))
        #expect(report.measures.first { $0.measure == "falls-rate" && $0.unit == "ward-7" }?.verdict == .improving)
        #expect(report.flags.contains { $0.kind == .balancingHarm && $0.measure == "restraint" })
        let table = try improve(["progress"])
        #expect(table.output.contains("improving") && table.output.contains("Flags:"))
    }

    @Test func theHTMLReportRendersInAHeadlessBrowser() throws {
        let html = folder.appendingPathComponent("report.html")
        let written = try improve(["report", "--out", html.path])
        #expect(written.status == 0, "\(written.error)")
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(!page.contains("<script"), "no scripts")
        #expect(!page.contains("http://") && !page.contains("https://"), "nothing fetched from the network")
        #expect(page.contains("Reduce inpatient falls by 30% by June 2027"))
        #expect(page.contains("Bedside checklist") && page.contains("Checklist on nights"))
        #expect(page.contains("&lt;at night&gt;"), "story text is escaped")

        let chromium = try #require(
            Binaries.onPath("chromium"), "chromium is not installed: run bash scripts/test.sh")
        let screenshot = folder.appendingPathComponent("report.png")
        let shot = try Processes.run(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,3000",
                "--screenshot=\(screenshot.path)", html.absoluteString,
            ], environment: ProcessInfo.processInfo.environment, folder: folder.path)
        #expect(shot.status == 0, "\(shot.error.suffix(2000))")
        let png = try Data(contentsOf: screenshot)
        #expect(png.count > 20_000, "a screenshot with content was made")
        #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])

        let dom = try Processes.run(
            chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", html.absoluteString],
            environment: ProcessInfo.processInfo.environment, folder: folder.path)
        #expect(dom.status == 0)
        let svgCount = dom.output.components(separatedBy: "<svg").count - 1
        #expect(svgCount >= 2, "the browser built the chart elements (found \(svgCount))")
        #expect(dom.output.contains("class=\"point signal improvement\""), "signals are highlighted")
        #expect(!dom.error.contains("Uncaught"), "no script errors")
    }
}
