import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

/// The charts a ward team reads at a glance, through the real `improve` binary: the report in a
/// real headless Chromium at desktop and phone widths, the standalone SVG, the terminal chart in a
/// real pseudo-terminal (tmux) at 80 and 120 columns, and progress and quality wrapped to the width.
@Suite("Charts people read at a glance")
struct ChartViewsTests {
    let folder: TemporaryFolder
    let device: Device

    init() throws {
        folder = try TemporaryFolder()
        device = Device("ward", user: "sister.okafor", in: folder)
        try ReportTests.makeStore(at: device.store)
    }

    /// Runs headless Chromium on a file.
    func chromium(_ arguments: [String]) throws -> CommandResult {
        let chromium = try #require(Binaries.onPath("chromium"), "chromium is not installed: run bash scripts/test.sh")
        return try Processes.run(
            chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"] + arguments,
            environment: Processes.environment(home: folder.url.path), folder: folder.url.path)
    }

    /// The report's page as laid out `width` pixels wide: the document's scroll width and the
    /// window's width, written by a probe script into a test-only copy of the page.
    func laidOutWidth(of html: String, width: Int) throws -> (scroll: Int, window: Int) {
        let probe = folder.path("probe-\(width).html")
        let script =
            "<script>document.body.insertAdjacentHTML('beforeend','<p id=\"pro'+'be\">'"
            + "+document.documentElement.scrollWidth+' '+window.innerWidth+'</p>')</script></body>"
        try html.replacingOccurrences(of: "</body>", with: script).write(
            toFile: probe, atomically: true, encoding: .utf8)
        let dom = try chromium(["--window-size=\(width),900", "--dump-dom", URL(fileURLWithPath: probe).absoluteString])
        let text = try #require(dom.output.range(of: "<p id=\"probe\">").map { dom.output[$0.upperBound...] })
        let numbers = text.prefix { $0 != "<" }.split(separator: " ").compactMap { Int($0) }
        try #require(numbers.count == 2, "the probe wrote the widths: \(text.prefix(40))")
        return (numbers[0], numbers[1])
    }

    @Test func theReportDrawsPerUnitChartsTargetsIconsAndTheDriverTreeAtDesktopAndPhoneWidths() throws {
        let file = folder.path("report.html")
        try device.ok(["report", "--out", file])
        let page = try String(contentsOfFile: file, encoding: .utf8)
        if let keep = ProcessInfo.processInfo.environment["IMPROVE_KEEP_SCREENSHOTS"] {
            try page.write(toFile: "\(keep)/report.html", atomically: true, encoding: .utf8)
            try? FileManager.default.removeItem(atPath: "\(keep)/store.sqlite")
            try FileManager.default.copyItem(atPath: device.store, toPath: "\(keep)/store.sqlite")
        }
        #expect(!page.contains("<script"), "no scripts")
        #expect(!page.contains("http://") && !page.contains("https://") && !page.contains("<link"), "no network")

        // Small multiples: the pooled site chart and one per unit, by name, sharing one scale.
        #expect(
            page.components(separatedBy: "<figure class=\"chart pooled\"").count - 1 == 2, "one site chart per measure")
        #expect(
            page.components(separatedBy: "<figure class=\"chart unit\"").count - 1 == 3, "Ward 7 and Ward 9; Ward 7")
        #expect(page.contains(">Ward 9</span>") && page.contains(">North Hospital — all units</span>"))
        #expect(!page.contains(">ward-9<"), "units by name, not id")
        #expect(page.contains("class=\"target\"") && page.contains("target 3"), "the target line, in per 1,000")
        // Making Data Count judges each phase on its own lines: Ward 7's new phase is stable, so its
        // latest point is common cause, while the verdict (against the previous phase) says improving.
        #expect(page.contains("mdc-icon variation common-cause"), "Ward 7's variation icon, as the analysis states it")
        #expect(page.contains("mdc-icon assurance"), "an assurance icon where the measure has a target")
        #expect(page.contains("class=\"point signal improvement\""), "improvement points are marked")
        #expect(page.contains("class=\"phase\""), "the phase boundary")
        #expect(
            page.contains("Bay nursing + falls huddle introduced on every night shift, led by the nurse in charge"),
            "annotations keep their full text")
        #expect(page.contains("per 1,000 bed days</text>"), "the value axis names the unit")
        // The driver diagram is a tree; a change idea may hang straight off a primary driver.
        #expect(page.contains("<svg class=\"drivers wide\"") && page.contains("<svg class=\"drivers narrow\""))
        #expect(page.contains("Change idea: Falls huddle at handover"))
        #expect(
            page.contains("Measures: Falls per 1,000 bed days") && page.contains("PDSA: Checklist on nights (adopt)"))
        // Dates by name, never wrapping in the table.
        #expect(page.contains("<td class=\"date\">"), "last-data dates do not wrap")
        #expect(!page.contains("T00:") && !page.contains("Z)"), "no raw timestamps")

        for (width, height) in [(1280, 5200), (390, 9000)] {
            let png = folder.path("report-\(width).png")
            let shot = try chromium([
                "--window-size=\(width),\(height)", "--screenshot=\(png)", URL(fileURLWithPath: file).absoluteString,
            ])
            #expect(shot.status == 0, "\(shot.error.suffix(2000))")
            let data = try Data(contentsOf: URL(fileURLWithPath: png))
            #expect(
                Array(data.prefix(4)) == [0x89, 0x50, 0x4E, 0x47] && data.count > 50_000, "a screenshot at \(width) px")
            if let keep = ProcessInfo.processInfo.environment["IMPROVE_KEEP_SCREENSHOTS"] {
                try? FileManager.default.removeItem(atPath: "\(keep)/report-\(width).png")
                try FileManager.default.copyItem(atPath: png, toPath: "\(keep)/report-\(width).png")
            }
        }
        let phone = try laidOutWidth(of: page, width: 390)
        #expect(phone.scroll <= phone.window, "no horizontal scrolling on a phone: \(phone)")
        let desktop = try laidOutWidth(of: page, width: 1280)
        #expect(desktop.scroll <= desktop.window, "\(desktop)")
    }

    @Test func chartWritesAStandaloneSVGWithDatesToScale() throws {
        let file = folder.path("ward-9.svg")
        let result = try device.ok(["chart", "falls-rate", "--unit", "ward-9", "--svg", file])
        #expect(result.output.contains("Verdict"), "the text chart is still printed")
        let svg = try String(contentsOfFile: file, encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\""), "a file of its own")
        #expect(svg.contains("Falls per 1,000 bed days — Ward 9 — u chart"))
        #expect(svg.contains("class=\"target\"") && svg.contains("class=\"note\""))
        #expect(svg.contains("led by the nurse in charge"), "the notes are drawn in full inside the picture")
        // Time to scale: the two missing weeks leave a gap three times the usual step.
        let xs = svg.components(separatedBy: "<circle class=\"point\" cx=\"").dropFirst()
            .compactMap { Double($0.prefix { $0 != "\"" }) }
        let steps = zip(xs.dropFirst(), xs).map { $0 - $1 }
        let usual = try #require(steps.min())
        #expect(xs.count == 22)
        #expect(steps.contains { abs($0 - 3 * usual) < 0.3 }, "a visible gap where two weeks are missing: \(steps)")
        #expect(
            svg.components(separatedBy: "<path class=\"data\" d=\"").last?.contains(" M") == true, "the line breaks")

        let png = folder.path("chart.png")
        let shot = try chromium([
            "--window-size=740,520", "--screenshot=\(png)", URL(fileURLWithPath: file).absoluteString,
        ])
        #expect(shot.status == 0, "\(shot.error.suffix(2000))")
        if let keep = ProcessInfo.processInfo.environment["IMPROVE_KEEP_SCREENSHOTS"] {
            try? FileManager.default.removeItem(atPath: "\(keep)/chart.png")
            try FileManager.default.copyItem(atPath: png, toPath: "\(keep)/chart.png")
        }

        let refused = try device.run(["chart", "falls-rate", "--svg", folder.path("no/such/folder/x.svg")])
        #expect(refused.status != 0 && refused.error.contains("Could not write"))
    }

    @Test(arguments: [80, 120])
    func theTerminalChartFitsATerminalWithScalePhasesNotesTargetGapsAndColour(columns: Int) throws {
        let terminal = try Terminal(in: folder)
        defer { terminal.close() }
        try terminal.start(device: device, arguments: ["chart", "falls-rate", "--unit", "ward-9"], columns: columns)
        try terminal.wait(for: "exit status 0")
        let screen = try terminal.screen()
        let words = screen.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= columns }, "fits \(columns) columns:\n\(screen)")
        #expect(lines.contains { $0.count > columns - 25 }, "uses the width it has")
        #expect(lines.contains { $0.contains("┼") && $0.contains("─") }, "a ruler")
        let scale = try #require(lines.firstIndex { $0.contains("┼") }).advanced(by: -1)
        #expect(lines[scale].split(separator: " ").compactMap { Double($0) }.count >= 3, "a numeric scale:\n\(screen)")
        #expect(screen.contains("── phase 2 from"), "a line where the phase starts")
        #expect(screen.contains("Checklist started"))
        #expect(words.contains("led by the nurse in charge"), "the annotation's full text")
        #expect(screen.contains("⋮ no data for 2 periods"), "the gap is shown")
        #expect(screen.contains("┆") && screen.contains("target 3 per 1,000 bed days"), "the target")
        let coloured = try terminal.screen(escapes: true)
        #expect(coloured.contains("\u{1B}["), "colour on a terminal")
        terminal.close()

        // A terminal of its own (its own tmux server), not one racing the closing server above.
        let plain = try Terminal(in: try TemporaryFolder())
        defer { plain.close() }
        try plain.start(
            device: device, arguments: ["chart", "falls-rate", "--unit", "ward-7"], columns: columns,
            environment: "NO_COLOR=1")
        try plain.wait(for: "exit status 0")
        let uncoloured = try plain.screen(escapes: true)
        #expect(!uncoloured.contains("\u{1B}[1;34m"), "NO_COLOR is respected")
        #expect(uncoloured.contains("■"), "the shapes still tell improvement from concern")

        let piped = try device.ok(["chart", "falls-rate", "--unit", "ward-7"])
        #expect(!piped.output.contains("\u{1B}["), "no colour into a pipe")
        #expect(piped.output.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    @Test(arguments: [50, 80, 160])
    func progressAndQualityWrapAtTheWidthWithNamesAndDates(columns: Int) throws {
        // An edit after the fact and an exclusion give quality something to say.
        try device.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(3), "--numerator", "2", "--denominator",
            "1000",
        ])
        try device.ok([
            "annotate", "falls-rate", "--site", "north", "--unit", "ward-9", "--date", Dates.week(2), "--exclude",
            "--text",
            "Norovirus outbreak closed the ward to admissions for the whole week",
        ])
        for command in ["progress", "quality"] {
            let result = try device.ok([command], environment: ["COLUMNS": String(columns)])
            let lines = result.output.split(separator: "\n")
            #expect(lines.allSatisfy { $0.count <= columns }, "\(command) fits \(columns) columns:\n\(result.output)")
            #expect(result.output.contains("Ward 7"), "units by name")
            #expect(result.output.range(of: #"\d{4}-\d{2}-\d{2}"#, options: .regularExpression) == nil, "dates by name")
            // No word is broken: every word of the output is a whole word of the unwrapped text.
            let words = Set(result.output.split(whereSeparator: \.isWhitespace))
            let wide = try device.ok([command], environment: ["COLUMNS": "400"]).output
            let wideWords = Set(wide.split(whereSeparator: \.isWhitespace))
            if command == "quality" { #expect(words == wideWords, "no word broken at \(columns) columns") }
        }
        let wideTable = try device.ok(["progress"], environment: ["COLUMNS": "160"]).output
        #expect(wideTable.hasPrefix("measure"), "a table when it fits")
        let narrow = try device.ok(["progress"], environment: ["COLUMNS": "50"]).output
        #expect(narrow.contains("Falls per 1,000 bed days (outcome)"), "one block per measure when it does not")
    }
}

/// The driver diagram's links: a change idea may hang off a primary driver, and any node names
/// the measures that show whether it works.
@Suite("Driver diagram links")
struct DriverLinkTests {
    @Test func aChangeIdeaHangsOffAPrimaryDriverWithItsMeasures() throws {
        let folder = try TemporaryFolder()
        let device = Device("ward", user: "coordinator", in: folder)
        try ReportTests.makeStore(at: device.store)
        let add = [
            "driver", "add", "c3", "--programme", "falls", "--kind", "change", "--text", "Sensor mats", "--parent",
            "d1",
        ]

        let refused = try device.run(add + ["--measure", "nope"])
        #expect(
            refused.status != 0 && refused.error.contains("no measure \"nope\"")
                && refused.error.contains("Nothing was saved."))
        #expect(!(try device.ok(["driver", "list"]).output.contains("Sensor mats")), "a refused node changes nothing")

        try device.ok(add + ["--measure", "falls-rate", "--measure", "restraint"])
        // --replace without --measure keeps the node's measures.
        try device.ok([
            "driver", "add", "c3", "--programme", "falls", "--kind", "change", "--text", "Sensor mats at night",
            "--parent", "d1", "--replace",
        ])
        let list = try device.ok(["driver", "list"]).output
        #expect(list.contains("  primary d1: Reliable risk assessment\n"), "\(list)")
        #expect(list.contains("    change c3: Sensor mats at night [measures: falls-rate, restraint]"), "\(list)")
        let json = try device.ok(["driver", "list", "--json"]).objects()
        #expect(json.first { $0["id"] as? String == "c3" }?["measures"] as? [String] == ["falls-rate", "restraint"])

        let file = folder.path("report.html")
        try device.ok(["report", "--out", file])
        let page = try String(contentsOfFile: file, encoding: .utf8)
        #expect(
            page.contains(
                "<title>Sensor mats at night · Measures: Falls per 1,000 bed days; Patients restrained</title>"))
    }
}
