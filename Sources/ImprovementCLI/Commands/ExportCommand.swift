import ArgumentParser
import ImprovementCore

/// `improve export`: every live data point as CSV or JSON.
struct ExportCommand: ParsableCommand {
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case csv, json
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Writes the data points on this device as CSV (the columns improve import reads) or JSON.",
        discussion:
            "Deleted data points are left out. A CSV export imported into another store gives the same data points.")

    @Option(help: "csv or json.") var format: Format = .csv
    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?
    @OptionGroup var filter: ObservationFilter
    @OptionGroup var location: StoreLocation

    func run() throws {
        let device = try Device.open(location)
        let output = try ChunkedOutput(path: out)
        var count = 0
        do {
            output.write(format == .csv ? ObservationCSV.headerLine : "[")
            try device.store.forEachObservation(try filter.query()) { observation in
                switch format {
                case .csv: output.write(ObservationCSV.line(observation))
                case .json:
                    output.write((count == 0 ? "\n  " : ",\n  ") + RecordOutput.json(observation).rendered(indent: 2))
                }
                count += 1
            }
            if format == .json { output.write(count == 0 ? "]\n" : "\n]\n") }
            try output.finish()
        } catch {
            output.discard()
            throw error
        }
        if let out { Console.note("Exported \(count) data point\(count == 1 ? "" : "s") to \(out).") }
    }
}
