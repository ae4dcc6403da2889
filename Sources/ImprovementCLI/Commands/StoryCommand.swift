import ArgumentParser
import ImprovementCore

/// `improve story add|list`: patient stories, staff feedback and side effects beside the numbers.
struct StoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "story", abstract: "Adds and lists patient stories, staff feedback and observed side effects.",
        subcommands: [Add.self, List.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Adds a story.")

        @Argument(help: "An id for the story (default: a new random one).") var id: String?
        @Option(help: "patient, staff or side-effect.") var kind: Story.Kind
        @Option(help: "The story, in the words it was told.") var text: String
        @Option(help: "A short title.") var title: String?
        @Option(help: "The site (default: this device's site).") var site: String?
        @Option(help: "The ward or team it concerns.") var unit: String?
        @Option(help: "The measure it sheds light on.") var measure: String?
        @Option(help: ArgumentHelp("When it happened (default: today).", valueName: "YYYY-MM-DD")) var date: String?
        @OptionGroup var options: DeviceOptions

        func validate() throws {
            try Input.id(id, field: "story id")
            try Input.id(site, field: "site")
            try Input.id(unit, field: "unit")
            try Input.id(measure, field: "measure")
            try Input.text(text, option: "--text", example: "I felt safer with the call bell in reach")
            _ = try Input.optionalDay(date, field: "date")
        }

        func run() throws {
            let device = try options.open()
            let story = Story(
                id: id ?? Input.generatedID(prefix: "story"), kind: kind,
                site: try device.site(site, purpose: "the story"), unit: unit, measure: measure,
                date: try Input.optionalDay(date, field: "date") ?? device.store.today, title: title, text: text)
            try device.add(story, author: device.author(options.author), replace: false, noun: "story")
            Console.line("Saved \(kind.rawValue) story \(story.id) (\(story.date)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists stories, newest first.")

        @Option(help: "Only this site's stories.") var site: String?
        @Option(help: "Only stories about this measure.") var measure: String?
        @Option(help: "Only stories of this kind.") var kind: Story.Kind?
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let stories = try Device.open(location).all(Story.self)
                .filter {
                    (site == nil || $0.site == site) && (measure == nil || $0.measure == measure)
                        && (kind == nil || $0.kind == kind)
                }
                .sorted { ($0.date, $0.id) > ($1.date, $1.id) }
            var table = TextTable(["date", "id", "kind", "site", "unit", "title", "text"])
            for story in stories {
                table.add([
                    story.date.description, story.id, story.kind.rawValue, story.site, story.unit ?? "",
                    story.title ?? "",
                    story.text,
                ])
            }
            format.print(stories.map(RecordOutput.json), table: table.rendered(empty: "No stories on this device yet."))
        }
    }
}
