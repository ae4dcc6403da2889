import ArgumentParser
import ImprovementCLI
import Testing

/// The command line itself, parsed in process: the documented commands parse, and wrong values
/// are refused in `validate()` with the store's own words, before anything is opened.
@Suite("Command line")
struct CommandLineTests {
    @Test func theDocumentedCommandsParse() throws {
        let lines: [[String]] = [
            ["init", "--site", "north", "--server", "https://improve.example.org", "--token", "imp_x"],
            ["site", "add", "north", "--name", "North"],
            ["unit", "add", "ward-7", "--site", "north", "--name", "Ward 7"],
            ["programme", "add", "falls", "--name", "Falls", "--aim", "Fewer falls"],
            [
                "measure", "add", "falls-rate", "--programme", "falls", "--name", "Falls", "--type", "outcome",
                "--chart", "u",
                "--frequency", "week", "--direction", "down", "--target", "3", "--numerator-definition", "Falls",
            ],
            [
                "record", "falls-rate", "--unit", "ward-7", "--period", "2026-11-16", "--numerator", "3",
                "--denominator", "412",
            ],
            ["record", "falls-rate", "--unit", "ward-7", "--period", "2026-11-16", "--value", "3", "--note", "x"],
            ["record", "falls-rate", "--unit", "ward-7", "--period", "2026-11-16", "--delete"],
            ["observations", "--measure", "falls-rate", "--unit", "ward-7", "--json"],
            ["import", "file.csv"], ["export", "--format", "csv"], ["export", "--format", "json", "--out", "x.json"],
            ["sync"], ["status", "--json"], ["conflicts", "--json"], ["conflicts", "--all"],
            ["conflicts", "resolve", "56eb15a630bf5c41", "--keep", "loser"],
            ["driver", "add", "d1", "--programme", "falls", "--kind", "primary", "--text", "Safe environment"],
            ["driver", "list"], ["pdsa", "add", "p1", "--change-idea", "c1", "--title", "T", "--plan", "P"],
            ["pdsa", "update", "p1", "--study", "Halved", "--act", "adopt"], ["pdsa", "list"], ["pdsa", "show", "p1"],
            ["story", "add", "--kind", "side-effect", "--text", "T"], ["story", "list"],
            ["annotate", "falls-rate", "--date", "2026-11-16", "--text", "Bundle", "--phase"], ["annotations", "list"],
            ["site", "list"], ["unit", "show", "ward-7"], ["measure", "show", "falls-rate"],
            ["history", "site", "north"],
        ]
        for line in lines {
            #expect(throws: Never.self, "\(line)") { _ = try ImproveCommand.parseAsRoot(line) }
        }
    }

    @Test func wrongValuesAreRefusedBeforeAnythingRuns() {
        let cases: [([String], String)] = [
            (["record", "m", "--unit", "u", "--period", "2026-02-30", "--value", "1"], "is not a date"),
            (
                [
                    "record", "m", "--unit", "u", "--period", "2026-02-01", "--value", "1", "--numerator", "1",
                    "--denominator", "2",
                ],
                "not both"
            ),
            (["record", "m", "--unit", "u", "--period", "2026-02-01", "--value", "1", "--delete"], "--delete removes"),
            (["site", "add", "no spaces", "--name", "N"], "cannot be used as the site id"),
            (["init", "--site", "north", "--replica", "Tablet_1"], "--replica must be"),
            (["sync", "--retries", "99"], "--retries must be between 0 and 20"),
            (["pdsa", "update", "p1"], "Say what to change"),
            (["history", "ward", "w"], "is not a record type"),
            (
                ["annotate", "m", "--date", "2026-01-01", "--text", "t", "--all-sites", "--site", "north"],
                "--all-sites cannot"
            ),
        ]
        for (line, message) in cases {
            do {
                _ = try ImproveCommand.parseAsRoot(line)
                Issue.record("\(line) was accepted")
            } catch {
                #expect(
                    ImproveCommand.message(for: error).contains(message),
                    "\(line): \(ImproveCommand.message(for: error))")
            }
        }
    }
}
