import ArgumentParser
import ImprovementCore

/// `improve record`: one data point of a measure for a unit and period (or its deletion).
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Records (or with --delete removes) one data point of a measure for a ward and period.",
        discussion: """
            Any date within the period will do: it is moved to the start of the measure's day, week \
            (Monday) or month. Recording the same measure, unit and period again changes that data \
            point, keeping what you do not give (the note stays unless --note or --clear-note), and \
            says whose values it replaced; --note alone edits the note of a recorded data point. \
            Recording it on two devices gives one data point, and a coordinator settles any \
            difference (improve conflicts).

              improve record falls-rate --unit ward-7 --period 2026-11-16 \\
                  --numerator 3 --denominator 412
              improve record days-between --unit ward-7 --period 2026-11-20 --value 12
              improve record falls-rate --unit ward-7 --period 2026-11-16 --note "one fall at night"
              improve record falls-rate --unit ward-7 --period 2026-11-16 --delete
            """)

    @Argument(help: "The measure, e.g. falls-rate.") var measure: String
    @Option(help: "The ward or team.") var unit: String
    @Option(help: ArgumentHelp("A date within the period.", valueName: "YYYY-MM-DD")) var period: String
    @Option(parsing: .unconditional, help: "The numerator (with --denominator), e.g. falls.") var numerator: Double?
    @Option(parsing: .unconditional, help: "The denominator, e.g. occupied bed days.") var denominator: Double?
    @Option(
        parsing: .unconditional,
        help: "A single value (for run, i, c and g charts; days since the previous event for t charts).") var value:
        Double?
    @Option(help: "A note about this data point (alone: changes the note of a recorded data point).")
    var note: String?
    @Flag(help: "Remove the note of this data point.") var clearNote = false
    @Flag(help: "Remove the data point of this measure, unit and period.") var delete = false
    @Flag(
        help: """
            Record a value that is unusual but possible (far outside the ward's series, before the \
            programme started, a fractional count) without being asked to check it.
            """)
    var force = false
    @OptionGroup var options: DeviceOptions

    func validate() throws {
        try Input.id(measure, field: "measure")
        try Input.id(unit, field: "unit")
        _ = try Input.day(period, field: "period")
        if delete {
            guard numerator == nil, denominator == nil, value == nil, note == nil, !clearNote else {
                throw ValidationError(
                    "--delete removes the data point: leave out --numerator, --denominator, --value and --note")
            }
            return
        }
        if note != nil, clearNote { throw ValidationError("Give --note TEXT or --clear-note, not both") }
        guard numerator != nil || denominator != nil || value != nil || note != nil || clearNote else {
            throw ValidationError(
                "Give the data point: --numerator N --denominator D, or --value V (or --note TEXT to change its note)")
        }
        if (numerator == nil) != (denominator == nil) {
            throw ValidationError("Give both --numerator and --denominator (or --value alone)")
        }
        if value != nil, numerator != nil {
            throw ValidationError("Give either --value, or --numerator and --denominator, not both")
        }
        for (option, number) in [("--numerator", numerator), ("--denominator", denominator), ("--value", value)] {
            if let number, !number.isFinite {
                throw ValidationError("\(option) must be a plain number such as 12 or 4.5")
            }
        }
    }

    func run() throws {
        let device = try options.open()
        let author = device.author(options.author)
        let day = try Input.day(period, field: "period")
        if delete {
            let id = try device.store.write(author: author) { writer in
                try writer.deleteObservation(measure: measure, unit: unit, period: day).entity
            }
            Console.line("Deleted \(id). The deletion reaches other devices with the next improve sync.")
            return
        }
        let entry = ObservationEntry(
            measure: measure, unit: unit, period: day, numerator: numerator, denominator: denominator, value: value,
            note: note.flatMap { $0.isEmpty ? nil : $0 }, clearNote: clearNote || note == "", force: force)
        let outcome = try device.store.write(author: author) { writer in try writer.recordReporting(entry) }
        let observation = outcome.observation
        let moved = observation.period == day ? "" : " (which includes \(day))"
        let point = "\(measure) for \(unit) at \(observation.site), period starting \(observation.period)\(moved)"
        guard outcome.change != nil else {
            Console.line("Nothing changed: \(point) already holds \(Self.shown(observation)).")
            return
        }
        if !entry.givesValues {
            Console.line(
                observation.note == nil ? "Removed the note of \(point)." : "Changed the note of \(point).")
            return
        }
        if outcome.overwritesAnotherAuthor, let previous = outcome.previous {
            let when = outcome.previousDate.map { " on \($0)" } ?? ""
            let who = previous.recordedBy ?? "someone"
            Console.line(
                "Recorded \(point): was \(Self.shown(previous)), recorded by \(who)\(when); now \(Self.shown(observation))."
            )
            return
        }
        Console.line("Recorded \(point): \(Self.shown(observation)).")
    }

    private static func shown(_ observation: Observation) -> String {
        observation.value.map(NumberText.json)
            ?? "\(NumberText.cell(observation.numerator)) / \(NumberText.cell(observation.denominator))"
    }
}
