import Foundation
import ImprovementCore
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
