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
            point; recording it on two devices gives one data point, and a coordinator settles any \
            difference (improve conflicts).

              improve record falls-rate --unit ward-7 --period 2026-11-16 \\
                  --numerator 3 --denominator 412
              improve record days-between --unit ward-7 --period 2026-11-20 --value 12
              improve record falls-rate --unit ward-7 --period 2026-11-16 --delete
            """)

    @Argument(help: "The measure, e.g. falls-rate.") var measure: String
    @Option(help: "The ward or team.") var unit: String
    @Option(help: ArgumentHelp("A date within the period.", valueName: "YYYY-MM-DD")) var period: String
    @Option(parsing: .unconditional, help: "The numerator (with --denominator), e.g. falls.") var numerator: Double?
    @Option(parsing: .unconditional, help: "The denominator, e.g. occupied bed days.") var denominator: Double?
    @Option(parsing: .unconditional, help: "A single value (for run, i, c and g charts).") var value: Double?
    @Option(help: "A note about this data point.") var note: String?
    @Flag(help: "Remove the data point of this measure, unit and period.") var delete = false
    @OptionGroup var options: DeviceOptions

    func validate() throws {
        try Input.id(measure, field: "measure")
        try Input.id(unit, field: "unit")
        _ = try Input.day(period, field: "period")
        if delete {
            guard numerator == nil, denominator == nil, value == nil, note == nil else {
                throw ValidationError(
                    "--delete removes the data point: leave out --numerator, --denominator, --value and --note")
            }
            return
        }
        guard numerator != nil || denominator != nil || value != nil else {
            throw ValidationError("Give the data point: --numerator N --denominator D, or --value V")
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
            note: note.flatMap { $0.isEmpty ? nil : $0 })
        let observation = try device.store.write(author: author) { writer in try writer.record(entry) }
        let shown =
            observation.value.map(NumberText.json)
            ?? "\(NumberText.cell(observation.numerator)) / \(NumberText.cell(observation.denominator))"
        let moved = observation.period == day ? "" : " (which includes \(day))"
        Console.line(
            "Recorded \(measure) for \(unit) at \(observation.site), "
                + "period starting \(observation.period)\(moved): \(shown)."
        )
    }
}
