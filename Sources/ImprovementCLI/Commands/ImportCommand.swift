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
            """)

    @Argument(help: ArgumentHelp("The CSV file ('-' reads standard input).", valueName: "file.csv")) var file: String
    @Flag(help: "Save the good rows even when some are wrong (the wrong ones are listed).") var skipBad = false
    @Flag(help: "Check every row but save nothing.") var dryRun = false
    @Flag(help: "Import rows whose values are unusual but possible (far outside the series, before the programme).")
    var force = false
    @OptionGroup var options: DeviceOptions

    /// Ends the transaction of a dry run without saving.
    private struct DryRunFinished: Error {}

    func run() throws {
        let name = file == "-" ? "The input" : file
        let (rows, parseProblems) = try ObservationCSV.parse(try readText(), name: name)
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
            Console.line("Checked \(imported) rows of \(name): all can be imported (nothing was saved: --dry-run).")
            reportSkipped(problems)
            return
        }
        Console.line(
            imported == 0 ? "\(name) has no data points to import." : "Imported \(imported) rows from \(name).")
        reportSkipped(problems)
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

    private func reportSkipped(_ problems: [ObservationCSV.Problem]) {
        guard !problems.isEmpty else { return }
        Console.note("Skipped \(Set(problems.map(\.line)).count) row(s) with problems:")
        for problem in problems.sorted() { Console.note("  line \(problem.line): \(problem.message)") }
    }
}
