import ArgumentParser
import ImprovementCore

/// `improve programme add|list|show`: improvement programmes and their aims.
struct ProgrammeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "programme", abstract: "Adds, lists and shows improvement programmes and their aims.",
        subcommands: [Add.self, List.self, Show.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Adds a programme with its aim statement.")

        @Argument(help: "The programme's id, e.g. falls.") var id: String
        @Option(help: "A short name.") var name: String
        @Option(help: "What will improve, by how much, by when and for whom.") var aim: String
        @Option(help: ArgumentHelp("When it starts.", valueName: "YYYY-MM-DD")) var start: String?
        @Option(help: ArgumentHelp("When it ends.", valueName: "YYYY-MM-DD")) var end: String?
        @Option(help: "planning, active, sustaining or closed.") var status: Programme.Status = .active
        @Option(help: "Who leads it.") var owner: String?
        @Flag(help: "Change the programme if it already exists.") var replace = false
        @OptionGroup var options: DeviceOptions

        func validate() throws {
            try Input.id(id, field: "programme id")
            try Input.text(name, option: "--name", example: "Falls prevention")
            try Input.text(aim, option: "--aim", example: "Reduce falls on Ward 7 by 30% by June 2027")
            _ = try Input.optionalDay(start, field: "start date")
            _ = try Input.optionalDay(end, field: "end date")
        }

        func run() throws {
            let device = try options.open()
            let programme = Programme(
                id: id, name: name, aim: aim, start: try Input.optionalDay(start, field: "start date"),
                end: try Input.optionalDay(end, field: "end date"), status: status, owner: owner)
            let changed = try device.add(
                programme, author: device.author(options.author), replace: replace, noun: "programme")
            Console.line(
                changed ? "Saved programme \(id) (\(name))." : "Programme \(id) already says that; nothing changed.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the programmes on this device.")

        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let programmes = try Device.open(location).all(Programme.self)
            var table = TextTable(["id", "name", "status", "aim"])
            for programme in programmes {
                table.add([programme.id, programme.name, programme.status.rawValue, programme.aim])
            }
            format.print(
                programmes.map(RecordOutput.json), table: table.rendered(empty: "No programmes on this device yet."))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shows a programme and its measures.")

        @Argument(help: "The programme's id.") var id: String
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let device = try Device.open(location)
            let programme = try device.require(Programme.self, id: id, noun: "programme")
            let measures = try device.all(Measure.self).filter { $0.programme == id }
            var details = Details()
            details.add("programme", programme.id)
            details.add("name", programme.name)
            details.add("aim", programme.aim)
            details.add("status", programme.status.rawValue)
            details.add("start", programme.start?.description)
            details.add("end", programme.end?.description)
            details.add("owner", programme.owner)
            details.add("measures", measures.map { "\($0.id) (\($0.type.rawValue))" }.joined(separator: ", "))
            format.print(RecordOutput.json(programme), text: details.text)
        }
    }
}
