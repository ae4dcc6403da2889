import ArgumentParser
import ImprovementCore

/// `improve pdsa add|update|list|show`: Plan-Do-Study-Act cycles testing change ideas.
struct PDSACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pdsa", abstract: "Plans, updates, lists and shows PDSA cycles that test change ideas.",
        subcommands: [Add.self, Update.self, List.self, Show.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Plans a PDSA cycle for a change idea.")

        @Argument(help: "The cycle's id, e.g. rounding-1.") var id: String
        @Option(help: "The change idea it tests (a driver node of kind change).") var changeIdea: String
        @Option(help: "The site (default: this device's site).") var site: String?
        @Option(help: "The ward or team running it.") var unit: String?
        @Option(help: "A name for the test.") var title: String
        @Option(help: "What will be tried, by whom, where and when.") var plan: String
        @Option(help: "What you expect to happen.") var prediction: String?
        @Option(name: .customLong("do"), help: "What happened when it was tried.") var doNotes: String?
        @Option(help: ArgumentHelp("Start date.", valueName: "YYYY-MM-DD")) var start: String?
        @Option(help: ArgumentHelp("End date.", valueName: "YYYY-MM-DD")) var end: String?
        @Option(help: "Who leads it.") var owner: String?
        @Option(help: "The cycle this one follows on from.") var previous: String?
        @Flag(help: "Change the cycle if it already exists.") var replace = false
        @OptionGroup var options: DeviceOptions

        func validate() throws {
            try Input.id(id, field: "PDSA cycle id")
            try Input.id(changeIdea, field: "change idea")
            try Input.id(site, field: "site")
            try Input.id(unit, field: "unit")
            try Input.id(previous, field: "previous cycle")
            try Input.text(title, option: "--title", example: "Intentional rounding, night shift")
            try Input.text(plan, option: "--plan", example: "Hourly rounding on nights for two weeks")
            _ = try Input.optionalDay(start, field: "start date")
            _ = try Input.optionalDay(end, field: "end date")
        }

        func run() throws {
            let device = try options.open()
            let cycle = PDSACycle(
                id: id, changeIdea: changeIdea, site: try device.site(site, purpose: "the PDSA cycle"), unit: unit,
                title: title, plan: plan, prediction: prediction, doNotes: doNotes,
                start: try Input.optionalDay(start, field: "start date"),
                end: try Input.optionalDay(end, field: "end date"),
                owner: owner, previous: previous)
            let changed = try device.add(
                cycle, author: device.author(options.author), replace: replace, noun: "PDSA cycle")
            Console.line(
                changed ? "Saved PDSA cycle \(id): \(title)." : "PDSA cycle \(id) already says that; nothing changed.")
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Records what happened, what the data showed, and the decision: adopt, adapt or abandon.")

        @Argument(help: "The cycle's id.") var id: String
        @Option(help: "A new name for the test.") var title: String?
        @Option(help: "A changed plan.") var plan: String?
        @Option(help: "What you expect to happen.") var prediction: String?
        @Option(name: .customLong("do"), help: "What happened when it was tried.") var doNotes: String?
        @Option(help: "What the data showed, compared with the prediction.") var study: String?
        @Option(help: "adopt, adapt or abandon (needs --study, now or before).") var act: PDSACycle.Act?
        @Option(help: ArgumentHelp("Start date.", valueName: "YYYY-MM-DD")) var start: String?
        @Option(help: ArgumentHelp("End date.", valueName: "YYYY-MM-DD")) var end: String?
        @Option(help: "Who leads it.") var owner: String?
        @OptionGroup var options: DeviceOptions

        func validate() throws {
            try Input.id(id, field: "PDSA cycle id")
            _ = try Input.optionalDay(start, field: "start date")
            _ = try Input.optionalDay(end, field: "end date")
            let given: [Any?] = [title, plan, prediction, doNotes, study, act, start, end, owner]
            guard given.contains(where: { $0 != nil }) else {
                throw ValidationError("Say what to change, for example --study \"Falls halved\" --act adopt")
            }
        }

        func run() throws {
            let device = try options.open()
            var cycle = try device.require(PDSACycle.self, id: id, noun: "PDSA cycle")
            if let title { cycle.title = title }
            if let plan { cycle.plan = plan }
            if let prediction { cycle.prediction = prediction }
            if let doNotes { cycle.doNotes = doNotes }
            if let study { cycle.study = study }
            if let act { cycle.act = act }
            if let start { cycle.start = try Input.day(start, field: "start date") }
            if let end { cycle.end = try Input.day(end, field: "end date") }
            if let owner { cycle.owner = owner }
            let changed = try device.update(cycle, author: device.author(options.author))
            Console.line(changed ? "Updated PDSA cycle \(id)." : "PDSA cycle \(id) already says that; nothing changed.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists PDSA cycles.")

        @Option(help: "Only this site's cycles.") var site: String?
        @Option(help: "Only the cycles testing this change idea.") var changeIdea: String?
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let cycles = try Device.open(location).all(PDSACycle.self).filter {
                (site == nil || $0.site == site) && (changeIdea == nil || $0.changeIdea == changeIdea)
            }
            var table = TextTable(["id", "change idea", "site", "unit", "title", "start", "end", "act"])
            for cycle in cycles {
                table.add([
                    cycle.id, cycle.changeIdea, cycle.site, cycle.unit ?? "", cycle.title,
                    cycle.start?.description ?? "",
                    cycle.end?.description ?? "", cycle.act?.rawValue ?? "",
                ])
            }
            format.print(
                cycles.map(RecordOutput.json), table: table.rendered(empty: "No PDSA cycles on this device yet."))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shows one PDSA cycle in full.")

        @Argument(help: "The cycle's id.") var id: String
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let cycle = try Device.open(location).require(PDSACycle.self, id: id, noun: "PDSA cycle")
            var details = Details()
            details.add("PDSA cycle", cycle.id)
            details.add("title", cycle.title)
            details.add("change idea", cycle.changeIdea)
            details.add("site", cycle.site)
            details.add("unit", cycle.unit)
            details.add("plan", cycle.plan)
            details.add("prediction", cycle.prediction)
            details.add("do", cycle.doNotes)
            details.add("study", cycle.study)
            details.add("act", cycle.act?.rawValue)
            details.add("start", cycle.start?.description)
            details.add("end", cycle.end?.description)
            details.add("owner", cycle.owner)
            details.add("follows", cycle.previous)
            format.print(RecordOutput.json(cycle), text: details.text)
        }
    }
}
