import ArgumentParser
import ImprovementCore

/// `improve site add|list|show`: the hospitals or organisations taking part.
struct SiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site", abstract: "Adds, lists and shows sites (hospitals or organisations).",
        subcommands: [Add.self, List.self, Show.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adds a site. Sites are the unit of sync scope: each device sees its own sites only.")

        @Argument(help: "The site's id, e.g. north.") var id: String
        @Option(help: "The name people know it by.") var name: String
        @Flag(help: "Change the site if it already exists.") var replace = false
        @OptionGroup var options: DeviceOptions

        func validate() throws {
            try Input.id(id, field: "site id")
            try Input.text(name, option: "--name", example: "North Hospital")
        }

        func run() throws {
            let device = try options.open()
            let changed = try device.add(
                Site(id: id, name: name), author: device.author(options.author), replace: replace, noun: "site")
            Console.line(changed ? "Saved site \(id) (\(name))." : "Site \(id) already says that; nothing changed.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the sites on this device.")

        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let sites = try Device.open(location).all(Site.self)
            var table = TextTable(["id", "name"])
            for site in sites { table.add([site.id, site.name]) }
            format.print(sites.map(RecordOutput.json), table: table.rendered(empty: "No sites on this device yet."))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shows one site and its units.")

        @Argument(help: "The site's id.") var id: String
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let device = try Device.open(location)
            let site = try device.require(Site.self, id: id, noun: "site")
            let units = try device.all(ImprovementCore.Unit.self).filter { $0.site == id }
            var details = Details()
            details.add("site", site.id)
            details.add("name", site.name)
            details.add("units", units.map { "\($0.id) (\($0.name))" }.joined(separator: ", "))
            format.print(RecordOutput.json(site), text: details.text)
        }
    }
}
