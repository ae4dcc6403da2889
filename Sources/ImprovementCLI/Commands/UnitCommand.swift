import ArgumentParser
import ImprovementCore

/// `improve unit add|list|show`: wards and teams.
struct UnitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit", abstract: "Adds, lists and shows units (wards and teams) of a site.",
        subcommands: [Add.self, List.self, Show.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Adds a ward or team to a site.")

        @Argument(help: "The unit's id, e.g. ward-7.") var id: String
        @Option(help: "The site it belongs to (default: this device's site). It cannot change later.")
        var site: String?
        @Option(help: "The name people know it by, e.g. \"Ward 7\".") var name: String
        @Option(help: "ward or team.") var kind: ImprovementCore.Unit.Kind = .ward
        @Flag(help: "Change the unit if it already exists.") var replace = false
        @OptionGroup var options: DeviceOptions

        func validate() throws {
            try Input.id(id, field: "unit id")
            try Input.id(site, field: "site")
            try Input.text(name, option: "--name", example: "Ward 7")
        }

        func run() throws {
            let device = try options.open()
            let site = try device.site(site, purpose: "the unit")
            let unit = ImprovementCore.Unit(id: id, site: site, name: name, kind: kind)
            let changed = try device.add(unit, author: device.author(options.author), replace: replace, noun: "unit")
            Console.line(
                changed
                    ? "Saved \(kind.rawValue) \(id) (\(name)) at site \(site)."
                    : "Unit \(id) already says that; nothing changed.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the units on this device.")

        @Option(help: "Only the units of this site.") var site: String?
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let units = try Device.open(location).all(ImprovementCore.Unit.self).filter {
                site == nil || $0.site == site
            }
            var table = TextTable(["id", "site", "name", "kind"])
            for unit in units { table.add([unit.id, unit.site, unit.name, unit.kind.rawValue]) }
            format.print(units.map(RecordOutput.json), table: table.rendered(empty: "No units on this device yet."))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shows one unit.")

        @Argument(help: "The unit's id.") var id: String
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let unit = try Device.open(location).require(ImprovementCore.Unit.self, id: id, noun: "unit")
            var details = Details()
            details.add("unit", unit.id)
            details.add("name", unit.name)
            details.add("site", unit.site)
            details.add("kind", unit.kind.rawValue)
            format.print(RecordOutput.json(unit), text: details.text)
        }
    }
}
