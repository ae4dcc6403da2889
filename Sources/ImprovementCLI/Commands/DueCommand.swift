import ArgumentParser
import ImprovementCore

/// `improve due`: the periods each measure still needs data for, per unit of this device's site.
struct DueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due",
        abstract: "Lists the periods each measure still needs data for, per ward of this device's site.",
        discussion: """
            For every measure and every ward or team of the site, the periods (days, weeks or months, \
            by the measure's frequency) that have no data yet, from the first one expected up to the \
            current one by this device's date. The first period expected is the programme's start; \
            when the programme has none, the first period with data (a series with no data at all \
            expects the current period only). Only the last 12 periods are looked at unless --periods \
            or --since says otherwise, never before the programme's start nor after its end; measures \
            of closed programmes are not listed. improve enter walks through them one by one.
            """)

    @OptionGroup var selection: DueSelection
    @OptionGroup var format: OutputFormat
    @OptionGroup var location: StoreLocation

    func run() throws {
        let device = try Device.open(location)
        let query = try selection.query(on: device)
        let due = try device.store.due(query)
        let items = due.map { series in
            JSONOut.object([
                ("measure", .string(series.measure.id)), ("name", .string(series.measure.name)),
                ("unit", .string(series.unit.id)), ("site", .string(series.unit.site)),
                ("frequency", .string(series.measure.frequency.rawValue)),
                ("chart", .string(series.measure.chart.rawValue)),
                ("periods", .array(series.periods.map { .string($0.description) })),
            ])
        }
        format.print(items, table: Self.text(due, site: query.site, today: device.store.today))
    }

    static func text(_ due: [DueSeries], site: String, today: Day) -> String {
        guard !due.isEmpty else {
            return "Nothing is due at \(site): every measure has data for every period up to today (\(today))."
        }
        var table = TextTable(["measure", "unit", "due", "periods"])
        for series in due {
            let count = series.periods.count
            let noun = series.measure.frequency.rawValue
            table.add([
                series.measure.id, series.unit.id, "\(count) \(noun)\(count == 1 ? "" : "s")",
                series.periods.map(\.description).joined(separator: " "),
            ])
        }
        let total = due.reduce(0) { $0 + $1.periods.count }
        return table.rendered(empty: "")
            + "\n\(total) data point\(total == 1 ? "" : "s") due at \(site). Enter them with: improve enter"
    }
}

/// The options `due` and `enter` share, turned into a query of this device's store.
/// Which series and periods `due` and `enter` look at: one option group, so both read the same.
struct DueSelection: ParsableArguments {
    @Option(help: "Only this ward or team.") var unit: String?
    @Option(help: "The site (default: this device's site).") var site: String?
    @Option(help: "Only this measure.") var measure: String?
    @Option(
        help: ArgumentHelp(
            "Look back to this date instead of over the last --periods periods.", valueName: "YYYY-MM-DD"))
    var since: String?
    @Option(help: "How many of the most recent periods to look at (1 to 520).") var periods = DuePeriods.defaultWindow

    func validate() throws {
        try Input.id(unit, field: "unit")
        try Input.id(site, field: "site")
        try Input.id(measure, field: "measure")
        _ = try Input.optionalDay(since, field: "since")
        guard (1...520).contains(periods) else { throw ValidationError("--periods must be between 1 and 520") }
    }

    func query(on device: Device) throws -> DueQuery {
        let site = try device.site(site, purpose: "the periods due")
        if let unit {
            let record = try device.require(Unit.self, id: unit, noun: "unit")
            guard record.site == site else {
                throw CLIError(
                    "The unit \(unit) belongs to site \(record.site), not \(site). Pass --site \(record.site), or "
                        + "choose a unit of \(site) (improve unit list).")
            }
        }
        if let measure { _ = try device.require(Measure.self, id: measure, noun: "measure") }
        return DueQuery(
            site: site, unit: unit, measure: measure, since: try Input.optionalDay(since, field: "since"),
            window: periods)
    }
}
