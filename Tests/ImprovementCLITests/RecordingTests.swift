import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

/// `improve record` over an existing data point, with the real binary: the note stays, a note can
/// be changed alone, and replacing a colleague's value says whose it was.
@Suite("improve record again")
struct RecordingTests {
    @Test func reRecordingKeepsTheNoteAndSaysWhoseValueItReplaced() throws {
        let folder = try TemporaryFolder()
        let nurseA = Device("ward", user: "nurse.a", in: folder)
        let nurseB = Device("ward", user: "nurse.b", in: folder)
        try nurseA.initialise(site: "north", replica: "ward7-tablet")
        try nurseA.defineProgramme()
        let month = Dates.today.startOfMonth.description
        let point = ["record", "staff-confidence", "--unit", "ward-7", "--period", month]

        try nurseA.ok(point + ["--value", "2", "--note", "after the audit"])
        let replaced = try nurseB.ok(point + ["--value", "1"])
        #expect(replaced.output.contains("was 2, recorded by nurse.a on \(Dates.today); now 1"), "\(replaced.output)")
        var stored = try #require(try nurseB.observations().first)
        #expect(stored["value"] as? Int == 1 && stored["note"] as? String == "after the audit")
        #expect(stored["recordedBy"] as? String == "nurse.b")

        let noted = try nurseA.ok(point + ["--note", "audit repeated"])
        #expect(noted.output.contains("Changed the note"))
        stored = try #require(try nurseA.observations().first)
        #expect(stored["value"] as? Int == 1 && stored["note"] as? String == "audit repeated")
        #expect(stored["recordedBy"] as? String == "nurse.b", "a note does not change who recorded the value")

        let same = try nurseB.ok(point + ["--value", "1"])
        #expect(same.output.contains("Nothing changed"))
        let history = try nurseB.ok(["history", "observation", "staff-confidence/ward-7/\(month)", "--json"]).objects()
        #expect(history.count == 3, "the identical value logged nothing")

        let cleared = try nurseB.ok(point + ["--clear-note"])
        #expect(cleared.output.contains("Removed the note"))
        #expect(try nurseB.observations().first?["note"] is NSNull)

        let lastMonth = Dates.today.startOfMonth.adding(days: -1).startOfMonth.description
        let nothing = try nurseA.run([
            "record", "staff-confidence", "--unit", "ward-7", "--period", lastMonth, "--note", "no data yet",
        ])
        #expect(nothing.status == 1 && nothing.error.contains("Nothing was saved"), "\(nothing.error)")
    }
}

/// Plausibility at entry with the real binary: the impossible is refused, the unusual needs --force
/// (for record and for import), and every refusal says nothing was saved.
@Suite("improve record and import, plausibility")
struct PlausibilityEndToEndTests {
    @Test func theImpossibleIsRefusedAndTheUnusualNeedsForce() throws {
        let folder = try TemporaryFolder()
        let nurse = Device("ward", user: "nurse.a", in: folder)
        try nurse.initialise(site: "north", replica: "ward7-tablet")
        try nurse.defineProgramme()
        let month = Dates.today.startOfMonth.description
        let week = Dates.week(1)

        let huge = try nurse.run([
            "record", "staff-confidence", "--unit", "ward-7", "--period", month, "--value", "1e300", "--force",
        ])
        #expect(huge.status == 1 && huge.error.contains("cannot be right") && huge.error.contains("Nothing was saved"))
        let early = try nurse.run([
            "record", "staff-confidence", "--unit", "ward-7", "--period", "1987-03-01", "--value", "4",
        ])
        #expect(
            early.status == 1 && early.error.contains("check the year") && early.error.contains("Nothing was saved"))

        let fraction = [
            "record", "hand-hygiene", "--unit", "ward-7", "--period", week, "--numerator", "2.5", "--denominator", "20",
        ]
        let warned = try nurse.run(fraction)
        #expect(warned.status == 1 && warned.error.contains("usually a whole number"), "\(warned.error)")
        #expect(warned.error.contains("Nothing was saved. Use --force to record it anyway."))
        #expect(try nurse.observations().isEmpty)
        try nurse.ok(fraction + ["--force"])
        #expect(try nurse.observations().count == 1)

        let csv = folder.path("weeks.csv")
        try """
        measure,unit,period,numerator,denominator,value,note
        hand-hygiene,ward-7,\(Dates.week(2)),18,20,,
        hand-hygiene,ward-7,\(Dates.week(3)),17.5,20,,
        """.write(toFile: csv, atomically: true, encoding: .utf8)
        let refused = try nurse.run(["import", csv])
        #expect(refused.status == 1 && refused.error.contains("line 3") && refused.error.contains("--force"))
        #expect(try nurse.observations().count == 1, "nothing was imported")
        try nurse.ok(["import", csv, "--force"])
        #expect(try nurse.observations().count == 3)
    }
}
