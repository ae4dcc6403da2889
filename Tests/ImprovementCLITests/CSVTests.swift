import Foundation
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
}
