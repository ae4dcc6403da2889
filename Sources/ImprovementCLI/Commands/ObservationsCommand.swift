import ArgumentParser
import ImprovementCore

/// Filters shared by `observations` and `export`.
struct ObservationFilter: ParsableArguments {
    @Option(help: "Only this measure.") var measure: String?
    @Option(help: "Only this ward or team.") var unit: String?
    @Option(help: "Only this site.") var site: String?
    @Option(help: ArgumentHelp("Only periods from this date.", valueName: "YYYY-MM-DD")) var from: String?
    @Option(help: ArgumentHelp("Only periods up to this date.", valueName: "YYYY-MM-DD")) var to: String?

    func validate() throws {
        _ = try Input.optionalDay(from, field: "--from date")
        _ = try Input.optionalDay(to, field: "--to date")
    }

    func query() throws -> ObservationQuery {
        ObservationQuery(
            measure: measure, unit: unit, site: site, from: try Input.optionalDay(from, field: "--from date"),
            to: try Input.optionalDay(to, field: "--to date"))
    }
}

/// `improve observations`: the data points on this device, merged from every device that synced.
struct ObservationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observations",
        abstract: "Lists the data points on this device (deleted ones are left out).")

    @OptionGroup var filter: ObservationFilter
    @OptionGroup var format: OutputFormat
    @OptionGroup var location: StoreLocation

    func run() throws {
        let device = try Device.open(location)
        var items: [JSONOut] = []
        var table = RecordOutput.observationTable()
        try device.store.forEachObservation(try filter.query()) { observation in
            if format.json {
                items.append(RecordOutput.json(observation))
            } else {
                table.add(RecordOutput.row(observation))
            }
        }
        format.print(items, table: table.rendered(empty: "No data points match."))
    }
}
