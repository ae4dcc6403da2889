import ArgumentParser
import ImprovementCore

/// `improve measure add|list|show`: measures with their operational definitions.
struct MeasureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Adds, lists, shows and converts measures and their operational definitions.",
        subcommands: [Add.self, List.self, Show.self, Convert.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adds a measure to a programme.",
            discussion: """
                The chart fixes what each data point needs: p, pp (proportions) and u, up (rates) need \
                --numerator and --denominator; i, c (counts) and g (cases between events) need --value, \
                as does t (the days since the previous rare event, above 0, recorded on the day of each \
                event: make it a daily measure); run accepts either. \
                Weekly periods start on Monday, monthly ones on the 1st.

                How values are shown: --multiplier 1000 --expressed-as "per 1,000 bed days" shows a rate \
                of 0.0056 falls per bed day as 5.6 per 1,000 bed days in every chart, table and report \
                (proportions default to 100, shown as %). --target is given in that same shown unit \
                (--target 80 for 80%, --target 4 for 4 per 1,000); JSON output keeps raw values and states \
                the multiplier.

                Once a measure has data its frequency cannot change (the periods would mix: add a new \
                measure, or use improve measure convert), nor its chart to one that reads the data \
                differently.
                """)

        @Argument(help: "The measure's id, e.g. falls-rate.") var id: String
        @Option(help: "The programme it belongs to (cannot change later).") var programme: String
        @Option(help: "A name people recognise, e.g. \"Falls per 1,000 bed days\".") var name: String
        @Option(help: "outcome, process or balancing.") var type: Measure.Kind
        @Option(help: "run, i, p, u, c, pp, up, g or t.") var chart: Measure.Chart
        @Option(help: "day, week or month: how often a data point is recorded.") var frequency: Measure.Frequency
        @Option(help: "up or down: which way is better.") var direction: Measure.Direction
        @Option(help: "The value aimed for, in the unit people read (80 for 80%, 4 for 4 per 1,000).") var target:
            Double?
        @Option(
            help: ArgumentHelp(
                "What stored values are multiplied by when shown: 1000 for a rate per 1,000 (default 1; 100 for proportions).",
                valueName: "N"))
        var multiplier: Double?
        @Option(help: ArgumentHelp("The words after a shown value, e.g. \"per 1,000 bed days\".", valueName: "WORDS"))
        var expressedAs: String?
        @Flag(help: "Values may be below zero (a difference or a change); run and i charts only.") var allowNegative =
            false
        @Option(help: "Operational definition: what the numerator counts.") var numeratorDefinition: String?
        @Option(help: "Operational definition: what the denominator counts.") var denominatorDefinition: String?
        @Option(help: "Operational definition: who or what is included.") var inclusions: String?
        @Option(help: "Operational definition: who or what is excluded.") var exclusions: String?
        @Option(help: "Operational definition: where the data come from.") var dataSource: String?
        @Option(help: "Operational definition: how the data are sampled.") var samplingPlan: String?
        @Option(help: "Who looks after the measure.") var owner: String?
        @Flag(help: "Change the measure if it already exists.") var replace = false
        @OptionGroup var options: DeviceOptions

        func validate() throws {
            try Input.id(id, field: "measure id")
            try Input.id(programme, field: "programme")
            try Input.text(name, option: "--name", example: "Falls per 1,000 bed days")
            if let target, !target.isFinite {
                throw ValidationError("--target must be a plain number such as 4.5")
            }
            if let multiplier, !(multiplier.isFinite && multiplier > 0) {
                throw ValidationError("--multiplier must be a number above 0, such as 100 or 1000")
            }
            if allowNegative, !chart.mayBeNegative {
                throw ValidationError(
                    "--allow-negative is for run and i charts: counts, rates and proportions cannot be below zero")
            }
        }

        func run() throws {
            let device = try options.open()
            let definition = OperationalDefinition(
                numerator: numeratorDefinition, denominator: denominatorDefinition, inclusions: inclusions,
                exclusions: exclusions, dataSource: dataSource, samplingPlan: samplingPlan)
            let expression = ValueExpression(chart: chart, multiplier: multiplier, words: expressedAs)
            let measure = Measure(
                id: id, programme: programme, name: name, type: type, chart: chart, frequency: frequency,
                direction: direction, target: target.map(expression.raw(fromShown:)), definition: definition,
                owner: owner, multiplier: multiplier, expressedAs: expressedAs, allowNegative: allowNegative)
            let changed = try device.add(
                measure, author: device.author(options.author), replace: replace, noun: "measure")
            Console.line(
                changed
                    ? "Saved \(type.rawValue) measure \(id) (\(name)): \(chart.rawValue) chart, "
                        + "recorded each \(frequency.rawValue)"
                        + (expression.words.map { ", shown \($0 == "%" ? "as %" : $0)" } ?? "")
                        + (target.map { ", target \(expression.text(expression.raw(fromShown: $0)))" } ?? "") + "."
                    : "Measure \(id) already says that; nothing changed.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the measures on this device.")

        @Option(help: "Only the measures of this programme.") var programme: String?
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let measures = try Device.open(location).all(Measure.self).filter {
                programme == nil || $0.programme == programme
            }
            var table = TextTable(
                ["id", "programme", "name", "type", "chart", "frequency", "better", "target"], rightAligned: [7])
            for measure in measures {
                table.add([
                    measure.id, measure.programme, measure.name, measure.type.rawValue, measure.chart.rawValue,
                    measure.frequency.rawValue, measure.direction.rawValue,
                    measure.target.map { measure.expression.text($0) } ?? "",
                ])
            }
            format.print(
                measures.map(RecordOutput.json), table: table.rendered(empty: "No measures on this device yet."))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shows a measure with its operational definition.")

        @Argument(help: "The measure's id.") var id: String
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let measure = try Device.open(location).require(Measure.self, id: id, noun: "measure")
            var details = Details()
            details.add("measure", measure.id)
            details.add("name", measure.name)
            details.add("programme", measure.programme)
            details.add("type", measure.type.rawValue)
            details.add("chart", measure.chart.rawValue)
            details.add("frequency", measure.frequency.rawValue)
            details.add("better when", measure.direction.rawValue)
            details.add("target", measure.target.map { measure.expression.text($0) })
            details.add(
                "values shown",
                measure.expression.caption.map { "\($0) (× \(NumberText.json(measure.expression.multiplier)))" })
            details.add("below zero", measure.allowNegative ? "allowed" : nil)
            details.add("numerator", measure.definition.numerator)
            details.add("denominator", measure.definition.denominator)
            details.add("inclusions", measure.definition.inclusions)
            details.add("exclusions", measure.definition.exclusions)
            details.add("data source", measure.definition.dataSource)
            details.add("sampling plan", measure.definition.samplingPlan)
            details.add("owner", measure.owner)
            format.print(RecordOutput.json(measure), text: details.text)
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Changes a measure's frequency, merging its data points into the longer periods.",
            discussion: """
                Points are merged, never split: day to week or month, week to month (a week belongs to \
                the month its Monday falls in). Numerators and denominators, and counts, are added up; \
                single measured values are averaged over the periods merged; notes are kept, joined. \
                The old points are deleted and the merged ones recorded in one step, so the chart never \
                mixes weekly and monthly points. --dry-run says what would happen and saves nothing.
                """)

        @Argument(help: "The measure's id.") var id: String
        @Option(help: "The new frequency: week or month.") var frequency: Measure.Frequency
        @Flag(help: "Say what would change, and save nothing.") var dryRun = false
        @OptionGroup var options: DeviceOptions

        func validate() throws { try Input.id(id, field: "measure id") }

        func run() throws {
            let device = try options.open()
            let definition = try device.require(Measure.self, id: id, noun: "measure")
            let plan = try device.store.write(author: device.author(options.author)) { writer in
                try writer.convertFrequency(measure: id, to: frequency, apply: !dryRun)
            }
            let merged = plan.pointsBefore - plan.pointsAfter
            let units = plan.units == 1 ? "1 unit" : "\(plan.units) units"
            Console.line(
                (dryRun ? "Would convert" : "Converted") + " \(definition.name) from \(plan.from.rawValue)ly to "
                    + "\(plan.to.rawValue)ly: \(plan.pointsBefore) \(plan.from.rawValue)ly points at \(units) "
                    + "\(dryRun ? "would become" : "became") \(plan.pointsAfter) \(plan.to.rawValue)ly points "
                    + "(\(merged) merged; \(plan.combined))." + (dryRun ? " Nothing was saved." : ""))
        }
    }
}
