import ArgumentParser
import ImprovementCore

/// `improve annotate`: a dated note on a measure's chart, possibly starting a new phase.
struct AnnotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Adds a dated note to a measure's chart, e.g. when a change was introduced.",
        discussion: """
            With --phase the note starts a new phase: charts compute a new centre line and limits from \
            that date, and test the new phase against the previous phase's lines. With --exclude the \
            note says why the point of the period containing --date is a special cause (an outbreak, a \
            data error that cannot be corrected): the point stays on the chart, marked, but is left \
            out of the centre line, the limits and the run rules. The note is synced like any other \
            record, and improve history annotation ID shows who added it and when. The note belongs to this device's site unless --site says otherwise; --all-sites \
            puts it on every site's chart (only an administrator's account may send that).
            """)

    @Argument(help: "The measure whose chart it annotates.") var measure: String
    @Option(help: ArgumentHelp("The date it refers to.", valueName: "YYYY-MM-DD")) var date: String
    @Option(help: "What happened, e.g. \"New falls bundle started\".") var text: String
    @Flag(help: "The change starts a new phase of the chart.") var phase = false
    @Flag(help: "Leave the point of this period out of the limits; --text gives the reason.") var exclude = false
    @Option(help: "The site (default: this device's site).") var site: String?
    @Flag(help: "A note for every site's chart instead of one site's.") var allSites = false
    @Option(help: "The ward or team it concerns.") var unit: String?
    @Option(help: "An id for the note (default: a new random one).") var id: String?
    @OptionGroup var options: DeviceOptions

    func validate() throws {
        try Input.id(measure, field: "measure")
        try Input.id(site, field: "site")
        try Input.id(unit, field: "unit")
        try Input.id(id, field: "annotation id")
        _ = try Input.day(date, field: "date")
        try Input.text(text, option: "--text", example: "New falls bundle started")
        if phase, exclude {
            throw ValidationError(
                "Give --phase or --exclude, not both: a note either starts a phase or excludes one point")
        }
        if allSites, site != nil || unit != nil {
            throw ValidationError("--all-sites cannot be combined with --site or --unit")
        }
    }

    func run() throws {
        let device = try options.open()
        let annotation = Annotation(
            id: id ?? Input.generatedID(prefix: "note"), measure: measure,
            site: allSites ? nil : try device.site(site, purpose: "the note"), unit: unit,
            date: try Input.day(date, field: "date"), text: text, startsPhase: phase, excludesPoint: exclude)
        try device.add(annotation, author: device.author(options.author), replace: false, noun: "annotation")
        Console.line(
            "Saved note \(annotation.id) on \(measure) at \(annotation.date)"
                + (phase ? " (starts a new phase)" : exclude ? " (its point is left out of the limits)" : "") + ".")
    }
}

/// `improve annotations list`: the notes on the charts.
struct AnnotationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotations", abstract: "Lists the notes on measures' charts.",
        subcommands: [List.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists chart notes in date order.")

        @Option(help: "Only the notes on this measure's chart.") var measure: String?
        @Option(help: "Only this site's notes (and those for every site).") var site: String?
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let notes = try Device.open(location).all(Annotation.self)
                .filter {
                    (measure == nil || $0.measure == measure) && (site == nil || $0.site == nil || $0.site == site)
                }
                .sorted { ($0.measure, $0.date, $0.id) < ($1.measure, $1.date, $1.id) }
            var table = TextTable(["date", "measure", "site", "unit", "phase", "text", "id"])
            for note in notes {
                table.add([
                    note.date.description, note.measure, note.site ?? "(all)", note.unit ?? "",
                    note.startsPhase ? "new" : note.excludesPoint ? "excluded" : "",
                    note.text, note.id,
                ])
            }
            format.print(
                notes.map(RecordOutput.json), table: table.rendered(empty: "No chart notes on this device yet."))
        }
    }
}
