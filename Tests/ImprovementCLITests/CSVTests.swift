import Foundation
import ImprovementTestSupport
import Testing

/// `improve import` and `improve export`: the CSV round trip, and files with bad rows.
@Suite("CSV import and export")
struct CSVTests {
    @Test func exportThenImportIntoAFreshStoreGivesTheSameObservations() throws {
        let folder = try TemporaryFolder()
        let original = Device("original", user: "nurse.patel", in: folder)
        try original.initialise(site: "north", replica: "original")
        try original.defineProgramme()
        // Notes a spreadsheet could mangle: commas, quotes, line breaks, spaces at the ends, accents.
        try original.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(3), "--numerator", "2", "--denominator",
            "412.5", "--note", "Fall at night, bed 4",
        ])
        try original.ok([
            "record", "hand-hygiene", "--unit", "ward-7", "--period", Dates.week(2), "--numerator", "18",
            "--denominator", "20", "--note", "Audit by \"Sister O\"\nsecond line",
        ])
        try original.ok([
            "record", "hand-hygiene", "--unit", "ward-7", "--period", Dates.week(1), "--numerator", "0",
            "--denominator", "7",
        ])
        try original.ok([
            "record", "staff-confidence", "--unit", "ward-9", "--period", Dates.week(9), "--value", "3.25", "--note",
            "  padded  ",
        ])
        try original.ok([
            "record", "staff-confidence", "--unit", "ward-9", "--period", Dates.week(14), "--value", "0.1", "--note",
            "Équipe de nuit",
        ])
        // A deleted data point is not exported.
        try original.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(5), "--numerator", "1", "--denominator",
            "300",
        ])
        try original.ok(["record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(5), "--delete"])

        let expected = try original.observations()
        #expect(expected.count == 5)
        let csvFile = folder.path("export.csv")
        let exported = try original.ok(["export", "--format", "csv", "--out", csvFile])
        #expect(exported.error.contains("Exported 5 data points"))
        let csv = try String(contentsOfFile: csvFile, encoding: .utf8)
        #expect(csv.hasPrefix("measure,unit,period,numerator,denominator,value,note\n"))
        #expect(csv.contains("\"Audit by \"\"Sister O\"\"\nsecond line\""))
        #expect(try original.ok(["export", "--format", "csv"]).output == csv, "stdout and --out give the same file")
        // JSON export is the same list as observations --json.
        #expect(try canonical(try original.ok(["export", "--format", "json"]).json()) == canonical(expected))

        let fresh = Device("fresh", user: "nurse.patel", in: folder)
        try fresh.initialise(site: "north", replica: "fresh")
        try fresh.defineProgramme()
        let imported = try fresh.ok(["import", csvFile])
        #expect(imported.output.contains("Imported 5 rows"))
        #expect(try canonical(try fresh.observations()) == canonical(expected))

        // Importing the same file again changes nothing.
        let pending = try fresh.pending()
        try fresh.ok(["import", csvFile])
        #expect(try fresh.pending() == pending)
        // Standard input works too.
        let piped = Device("piped", user: "nurse.patel", in: folder)
        try piped.initialise(site: "north", replica: "piped")
        try piped.defineProgramme()
        #expect(try piped.run(["import", "-"], input: csvFile).status == 0)
        #expect(try canonical(try piped.observations()) == canonical(expected))
    }

    @Test func aFileWithBadRowsIsRejectedWholeWithLineNumbers() throws {
        let folder = try TemporaryFolder()
        let device = Device("ward", user: "nurse.patel", in: folder)
        try device.initialise(site: "north", replica: "ward")
        try device.defineProgramme()
        let file = folder.path("bad.csv")
        let lines = [
            "measure,unit,period,numerator,denominator,value,note",  // 1
            "falls-rate,ward-7,\(Dates.week(4)),2,400,,fine",  // 2
            "falls-rate,ward-7,2026-13-01,2,400,,",  // 3: not a date
            "hand-hygiene,ward-7,\(Dates.week(4)),21,20,,",  // 4: numerator > denominator
            "fals-rate,ward-7,\(Dates.week(4)),1,100,,",  // 5: unknown measure
            "falls-rate,ward-7,\(Dates.week(3)),two,400,,",  // 6: not a number
            "falls-rate,ward-7,\(Dates.week(2)),1,400,,\"a note with",  // 7: good, note on two lines
            "two lines\"",  // 8
            "falls-rate,ward-7,\(Dates.week(2, plus: 3)),1,400,,",  // 9: same week as line 7
            "falls-rate,ward-7,\(Dates.week(1)),1,400,,,extra",  // 10: too many values
            "",  // 11: blank
            "staff-confidence,ward-7,\(Dates.week(8)),,,4.5,",  // 12: good
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let pendingBefore = try device.pending()

        let rejected = try device.run(["import", file])
        #expect(rejected.status == 1)
        #expect(rejected.error.contains("was not imported: 6 of 9 rows have problems, so nothing was saved"))
        #expect(rejected.error.contains("--skip-bad"))
        #expect(rejected.error.contains("line 3: The period \"2026-13-01\" is not a date"))
        #expect(rejected.error.contains("line 4: The numerator (21) is larger than the denominator (20)"))
        #expect(rejected.error.contains("line 5: There is no measure \"fals-rate\" on this device"))
        #expect(rejected.error.contains("line 6: The numerator \"two\" is not a number"))
        #expect(rejected.error.contains("line 9: It is for the same measure, unit and period"))
        #expect(rejected.error.contains("as line 7"))
        #expect(rejected.error.contains("line 10: it has 8 values but the header has 7 columns"))
        for good in ["line 2:", "line 7:", "line 8:", "line 11:", "line 12:"] {
            #expect(!rejected.error.contains(good))
        }
        #expect(try device.observations().isEmpty, "nothing was written")
        #expect(try device.pending() == pendingBefore)

        // --dry-run reports the same and writes nothing either.
        #expect(try device.run(["import", file, "--dry-run"]).status == 1)
        #expect(try device.observations().isEmpty)

        // --skip-bad imports the good rows and lists the rest.
        let partial = try device.ok(["import", file, "--skip-bad"])
        #expect(partial.output.contains("Imported 3 rows"))
        #expect(
            partial.error.contains("Skipped 6 row(s)") && partial.error.contains("line 3:")
                && partial.error.contains("line 10:"))
        let saved = try device.observations()
        #expect(saved.count == 3)
        #expect(saved.contains { $0["note"] as? String == "a note with\ntwo lines" })
    }

    @Test func filesThatAreNotUsableAtAllSayWhy() throws {
        let folder = try TemporaryFolder()
        let device = Device("ward", user: "nurse.patel", in: folder)
        try device.initialise(site: "north", replica: "ward")
        let cases: [(String, String)] = [
            ("", "is empty"),
            ("measure,ward,period\n", "has a column \"ward\""),
            ("measure,period,value\n", "has no unit column"),
            ("measure,unit,period,note\nm,u,2026-01-05,\"open quote\" x\n", "is not valid CSV"),
        ]
        for (index, (text, message)) in cases.enumerated() {
            let file = folder.path("case\(index).csv")
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try device.run(["import", file])
            #expect(result.status == 1)
            #expect(result.error.contains(message), "\(result.error)")
        }
        let missing = try device.run(["import", folder.path("nowhere.csv")])
        #expect(missing.status == 1 && missing.error.contains("Could not read"))
    }

    @Test func aSemicolonFileWithAByteOrderMarkAndDecimalCommasImports() throws {
        let folder = try TemporaryFolder()
        let device = Device("ward", user: "nurse.patel", in: folder)
        try device.initialise(site: "north", replica: "ward")
        try device.defineProgramme()
        // As Excel saves "CSV UTF-8" in most of Europe: BOM, semicolons, decimal commas, CRLF.
        let lines = [
            "measure;unit;period;numerator;denominator;value;note",
            "falls-rate;ward-7;\(Dates.week(3));2;412,5;;\"Fall at night; bed 4\"",
            "hand-hygiene;ward-7;\(Dates.week(2));18;20;;Audit, second round",
            "staff-confidence;ward-9;\(Dates.week(9));;;3,25;",
        ]
        let file = folder.path("excel.csv")
        let bytes = Data([0xEF, 0xBB, 0xBF]) + Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
        try bytes.write(to: URL(fileURLWithPath: file))

        let imported = try device.ok(["import", file])
        #expect(imported.output.contains("Imported 3 rows"), "\(imported.output) \(imported.error)")
        #expect(imported.output.contains("semicolon-separated, decimal commas"))
        let saved = try device.observations()
        let falls = try #require(saved.first { $0["measure"] as? String == "falls-rate" })
        #expect(falls["denominator"] as? Double == 412.5)
        #expect(falls["note"] as? String == "Fall at night; bed 4")
        let hygiene = try #require(saved.first { $0["measure"] as? String == "hand-hygiene" })
        #expect(hygiene["numerator"] as? Double == 18 && hygiene["note"] as? String == "Audit, second round")
        let confidence = try #require(saved.first { $0["measure"] as? String == "staff-confidence" })
        #expect(confidence["value"] as? Double == 3.25)
    }

    @Test func aTabSeparatedFileImports() throws {
        let folder = try TemporaryFolder()
        let device = Device("ward", user: "nurse.patel", in: folder)
        try device.initialise(site: "north", replica: "ward")
        try device.defineProgramme()
        let lines = [
            "measure\tunit\tperiod\tnumerator\tdenominator\tvalue\tnote",
            "falls-rate\tward-7\t\(Dates.week(3))\t3\t401,5\t\tnight, bay 2",
            "falls-rate\tward-7\t\(Dates.week(2))\t1\t398.25\t\t",
        ]
        let file = folder.path("pasted.tsv")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try device.ok(["import", file])
        #expect(imported.output.contains("Imported 2 rows") && imported.output.contains("tab-separated"))
        let denominators = try device.observations().compactMap { $0["denominator"] as? Double }.sorted()
        #expect(denominators == [398.25, 401.5])
        #expect(try device.observations().contains { $0["note"] as? String == "night, bay 2" })
    }

    @Test func aDryRunWithSkipBadSaysWhatTheImportThenDoes() throws {
        let folder = try TemporaryFolder()
        let device = Device("ward", user: "nurse.patel", in: folder)
        try device.initialise(site: "north", replica: "ward")
        try device.defineProgramme()
        let lines = [
            "measure;unit;period;numerator;denominator;value;note",  // 1
            "falls-rate;ward-7;\(Dates.week(6));2;400;;",  // 2: good
            "fals-rate;ward-7;\(Dates.week(6));2;400;;",  // 3: unknown measure
            "falls-rate;ward-7;2026-13-01;2;400;;",  // 4: not a date
            "hand-hygiene;ward-7;\(Dates.week(6));21;20;;",  // 5: numerator > denominator
            "falls-rate;ward-7;\(Dates.week(4));two;400;;",  // 6: not a number
            "falls-rate;ward-7;\(Dates.week(3));1;1.234,5;;",  // 7: both decimal marks
            "falls-rate;ward-99;\(Dates.week(3));1;400;;",  // 8: unknown unit
            "falls-rate;ward-7;\(Dates.week(6, plus: 2));1;400;;",  // 9: same week as line 2
            "falls-rate;ward-7;;1;400;;",  // 10: no period
            "falls-rate;ward-7;\(Dates.week(-3));1;0;;",  // 11: in the future, and no denominator
            "falls-rate;ward-7;\(Dates.week(5));1;400;;",  // 12: good
        ]
        let file = folder.path("mixed.csv")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let pendingBefore = try device.pending()

        let dryRun = try device.ok(["import", file, "--skip-bad", "--dry-run"])
        #expect(dryRun.output.contains("Checked 11 rows"), "\(dryRun.output)")
        #expect(dryRun.output.contains("2 would be imported and 9 skipped"), "\(dryRun.output)")
        #expect(!dryRun.output.contains("all"), "never \"all can be imported\": \(dryRun.output)")
        #expect(dryRun.error.contains("Would skip 9 row(s)"))
        #expect(dryRun.error.contains("line 7: The denominator \"1.234,5\" is not a number"), "\(dryRun.error)")
        #expect(try device.observations().isEmpty && device.pending() == pendingBefore, "a dry run saves nothing")

        let real = try device.ok(["import", file, "--skip-bad"])
        #expect(real.output.contains("Imported 2 rows"))
        #expect(real.error.contains("Skipped 9 row(s)"))
        // The very same rows, for the very same reasons.
        #expect(Self.problemLines(real.error) == Self.problemLines(dryRun.error))
        #expect(Self.problemLines(real.error).count == 9)
        #expect(try device.observations().count == 2)

        // Without --skip-bad the dry run refuses just as the import does.
        let other = Device("other", user: "nurse.patel", in: folder)
        try other.initialise(site: "north", replica: "other")
        try other.defineProgramme()
        let refusedDry = try other.run(["import", file, "--dry-run"])
        let refused = try other.run(["import", file])
        #expect(refusedDry.status == 1 && refused.status == 1)
        #expect(refusedDry.error == refused.error)
        #expect(refused.error.contains("9 of 11 rows have problems"))
    }

    /// The "  line N: reason" lines of a report.
    static func problemLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  line ") }
    }
}
