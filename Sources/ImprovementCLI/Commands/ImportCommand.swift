import ArgumentParser
import Foundation
import ImprovementCore

/// `improve import`: data points from a CSV file, all or nothing.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Records the data points of a CSV file: every row, or (if any row is wrong) none.",
        discussion: """
            The first line must be the header measure,unit,period,numerator,denominator,value,note \
            (measure, unit and period are required; the order is free). Each row is checked exactly as \
            improve record checks it. If any row is wrong, nothing is saved and each wrong row is listed \
            with its line number; --skip-bad saves the good rows and lists the others. Importing the \
            same file again changes nothing.

            Files are read as spreadsheets save them: cells separated by commas, semicolons or tabs \
            (told from the header line), with or without a byte order mark ("CSV UTF-8"). In a \
            semicolon- or tab-separated file a comma in a number is its decimal mark: 3,5 is three and \
            a half (write numbers without thousands separators).

            --dry-run runs the very same checks inside a transaction that is then undone, so it \
            reports exactly what the import would do: how many rows would be imported and, with \
            --skip-bad, which would be skipped and why.
            """)

    @Argument(help: ArgumentHelp("The CSV file ('-' reads standard input).", valueName: "file.csv")) var file: String
    @Flag(help: "Save the good rows even when some are wrong (the wrong ones are listed).") var skipBad = false
    @Flag(help: "Check every row as the import would, say what it would do, and save nothing.") var dryRun = false
    @Flag(help: "Import rows whose values are unusual but possible (far outside the series, before the programme).")
    var force = false
    @OptionGroup var options: DeviceOptions

    /// Ends the transaction of a dry run without saving.
    private struct DryRunFinished: Error {}

    func run() throws {
        let name = file == "-" ? "The input" : file
        let parsed = try ObservationCSV.parse(try readText(), name: name)
        let (rows, parseProblems) = (parsed.rows, parsed.problems)
        let read = parsed.dialect.separator == "," ? "" : " (read as \(parsed.dialect.description))"
        let device = try options.open()
        var problems = parseProblems
        var imported = 0
        do {
            try device.store.write(author: device.author(options.author)) { writer in
                var firstLine: [String: Int] = [:]
                for row in rows {
                    do {
                        if let fields = try writer.fields(of: .measure, id: row.entry.measure) {
                            let start = Measure(id: row.entry.measure, fields: fields).frequency.periodStart(
                                of: row.entry.period)
                            let id = Observation.id(measure: row.entry.measure, unit: row.entry.unit, period: start)
                            if let first = firstLine[id] {
                                problems.append(
                                    .init(
                                        line: row.line,
                                        message:
                                            "It is for the same measure, unit and period (\(id)) as line \(first). "
                                            + "Keep one of the two rows."))
                                continue
                            }
                            firstLine[id] = row.line
                        }
                        var entry = row.entry
                        entry.force = force
                        try writer.record(entry)
                        imported += 1
                    } catch let error as ImprovementCore.ValidationError {
                        problems.append(.init(line: row.line, message: error.description))
                    } catch let warned as ImplausibleEntry {
                        let message = warned.warnings.joined(separator: " ") + " (--force imports it)"
                        problems.append(.init(line: row.line, message: message))
                    }
                }
                if !problems.isEmpty, !skipBad {
                    throw CLIError(rejection(problems.sorted(), total: rows.count + parseProblems.count, name: name))
                }
                if dryRun { throw DryRunFinished() }
            }
        } catch is DryRunFinished {
            let skipped = Set(problems.map(\.line)).count
            let total = imported + skipped
            let verdict =
                skipped == 0
                ? "all \(imported) can be imported"
                : "\(imported) would be imported and \(skipped) skipped"
            guard total > 0 else {
                Console.line("\(name) has no data points to import\(read) (nothing was saved: --dry-run).")
                return
            }
            Console.line(
                "Checked \(total) row\(total == 1 ? "" : "s") of \(name)\(read): \(verdict) "
                    + "(nothing was saved: --dry-run).")
            reportSkipped(problems, dryRun: true)
            return
        }
        Console.line(
            imported == 0
                ? "\(name) has no data points to import\(read)." : "Imported \(imported) rows from \(name)\(read).")
        reportSkipped(problems, dryRun: false)
    }

    private func readText() throws -> String {
        let data: Data?
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: file)
        }
        guard let data else {
            throw CLIError("Could not read \(file). Check the file name and that you may read it.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError(
                "\(file) is not UTF-8 text. Save it from your spreadsheet as \"CSV UTF-8\" and import again.")
        }
        return text
    }

    private func rejection(_ problems: [ObservationCSV.Problem], total: Int, name: String) -> String {
        let badLines = Set(problems.map(\.line)).count
        let good = max(0, total - badLines)
        var message =
            "\(name) was not imported: \(badLines) of \(total) row\(total == 1 ? "" : "s") "
            + "\(badLines == 1 ? "has a problem" : "have problems"), so nothing was saved. Fix "
            + (badLines == 1 ? "it" : "them") + " and import again, or add --skip-bad to import the other \(good)."
        for problem in problems { message += "\n  line \(problem.line): \(problem.message)" }
        return message
    }

    private func reportSkipped(_ problems: [ObservationCSV.Problem], dryRun: Bool) {
        guard !problems.isEmpty else { return }
        Console.note("\(dryRun ? "Would skip" : "Skipped") \(Set(problems.map(\.line)).count) row(s) with problems:")
        for problem in problems.sorted() { Console.note("  line \(problem.line): \(problem.message)") }
    }
}
