import ArgumentParser
import Foundation
import ImprovementCore

/// `improve chart`: one measure as a run chart or control chart, with its signals.
struct ChartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chart",
        abstract: "Draws a measure as a run chart or control chart and says whether it shows a signal.",
        discussion: """
            Without --unit or --site the units of every site are pooled. Values are shown as the \
            measure expresses them (--multiplier and --expressed-as of improve measure add: per 1,000 \
            bed days, %).

            Phases start at annotations marked --phase: each phase gets its own centre line and \
            limits (is it stable?) and is also tested against the previous phase's lines extended \
            forward (did the change shift the process?). --baseline N freezes the first phase's lines \
            on its first N points. Points excluded with improve annotate --exclude stay plotted (×) \
            but take no part in the lines or the run rules.

            The verdict is the one improve progress, quality and report state: improving / \
            deteriorating (the latest signal moved the way the measure wants / against it), \
            no-signal, too-few-points (fewer than 10 useful points, none beyond the limits), unclear \
            (a signal without a direction), unstable-baseline (a signal judged against lines that rest \
            on an unexplained point beyond the limits: explain it with a note, or exclude it).

            --json prints {measure, kind, multiplier, expressedAs, better, centre, points[{period, \
            value, numerator, denominator, centre, lcl, ucl, outside, phase, excluded, explained, variation}], \
            runs, phases[{number, from, to, start, end, basis, excluded, centre, lcl, ucl, \
            limitsVary, runs, outside, comparedWithPrevious}], signals[{rule, message, points, \
            direction, side, phase, against}], warnings[{rule, message, points}], verdict{verdict, \
            reason, since, signal, baselineSpecialCauses}, variation, assurance}. Values stay raw (proportions are \
            fractions between 0 and 1, rates are per one unit of denominator); multiply by \
            multiplier to get what the text shows. centre and runs describe the last phase.

            Making Data Count: variation (top level: the latest point; per point) is common-cause, \
            special-cause-improvement, special-cause-concern or special-cause-neutral (no direction), \
            by NHSRplotthedots' rules on control charts (a point beyond the limits; 7 in a row rising \
            or falling; 2 of 3 beyond two sigma on one side; 7 in a row on one side of the centre \
            line), each phase on its own lines; on run charts a point follows the run-rule signal it \
            is part of. assurance is consistently-meets, hit-and-miss or consistently-fails: where \
            the measure's target lies against the latest process limits (null without a target or \
            limits).

            The text chart fits the terminal's width (COLUMNS when set) and uses colour on a terminal \
            unless NO_COLOR is set; its shapes (■ improvement, ◆ concern) read without colour.
            """)

    @Argument(help: "The measure id.")
    var measure: String
    @Option(help: "Chart one ward or team.")
    var unit: String?
    @Option(help: "Chart one site, its units pooled.")
    var site: String?
    @Option(help: "Chart kind: run, i, mr, p, pp, u, up, c, g or t (default: the measure's own).")
    var kind: String?
    @Option(help: "Freeze the centre line and limits on the first N points.")
    var baseline: Int?
    @Option(help: "Run rules: anhoej (default) or ihi.")
    var rules: String = "anhoej"
    @Flag(help: "Print the chart as JSON.")
    var json = false
    @Option(
        help: ArgumentHelp(
            "Also write the chart as a standalone SVG picture (dates to scale, gridlines, target, phases, numbered notes, MDC icons) to FILE.",
            valueName: "FILE"))
    var svg: String?
    @OptionGroup var location: StoreLocation

    func validate() throws {
        if unit != nil && site != nil { throw ValidationError("Give --unit or --site, not both.") }
        if let kind, ChartKind(rawValue: kind) == nil {
            throw ValidationError(
                "--kind must be one of: \(ChartKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let svg, svg.isEmpty { throw ValidationError("--svg needs a file name, for example --svg falls.svg") }
        if let baseline, baseline < 2 { throw ValidationError("--baseline needs at least 2 points.") }
        guard RunRules(rawValue: rules) != nil else { throw ValidationError("--rules must be anhoej or ihi.") }
    }

    /// Making Data Count's reading in words, under the chart.
    static func makingDataCount(_ result: ChartResult) -> String {
        let variation = result.variation?.words ?? "not judged yet — no points"
        let assurance: String
        if let found = result.assurance {
            assurance = found.words
        } else if result.kind == .run || result.kind == .mr {
            assurance =
                "not judged — \(result.kind == .run ? "a run chart has" : "moving ranges have") no process limits to hold a target against"
        } else {
            assurance = "not judged — it needs a target for the measure and process limits to hold it against"
        }
        return
            (TerminalChart.wrap("Variation (Making Data Count): \(variation)", indent: "  ")
            + TerminalChart.wrap("Assurance: \(assurance)", indent: "  ")).joined(separator: "\n")
    }

    func run() throws {
        let device = try Device.open(location)
        guard let definition = try device.store.record(Measure.self, id: measure) else {
            throw CLIError(
                "There is no measure \"\(measure)\" on this device. List them with improve measure list, or sync.")
        }
        let series = try ChartSeries.load(store: device.store, measure: definition, site: site, unit: unit)
        let chartKind = kind.flatMap(ChartKind.init(rawValue:)) ?? series.defaultKind
        let result: ChartResult
        do {
            result = try ChartAnalysis.analyse(
                series, kind: chartKind, baseline: baseline, rules: RunRules(rawValue: rules) ?? .anhoej)
        } catch {
            throw CLIError("\(definition.name) cannot be drawn as a \(chartKind.rawValue) chart: \(error)")
        }
        if let svg {
            let place =
                try unit.map { try device.store.record(ImprovementCore.Unit.self, id: $0)?.name ?? $0 }
                ?? site.map { try device.store.record(Site.self, id: $0)?.name ?? $0 } ?? "all sites"
            let picture = SVGChart(
                result: result, annotations: series.annotations, phaseStarts: series.phaseStarts,
                title: "\(definition.name) — \(place) — \(chartKind.rawValue) chart", target: definition.target,
                frequency: definition.frequency, standalone: true)
            do {
                try (#"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" + picture.rendered() + "\n").write(
                    toFile: svg, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError(
                    "Could not write \(svg): \(error.localizedDescription). Check the folder exists and can be written."
                )
            }
            Console.note("Wrote \(svg).")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Console.line(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            let place = unit.map { "unit \($0)" } ?? site.map { "site \($0)" } ?? "all sites"
            let chart = TerminalChart(
                result: result, title: "\(definition.name) — \(place) — \(chartKind.rawValue) chart",
                phaseNotes: series.phaseNotes, exclusionNotes: series.exclusionNotes, annotations: series.annotations,
                target: definition.target, frequency: definition.frequency, width: TerminalSize.columns,
                colour: TerminalSize.colour)
            Console.line(chart.rendered())
            Console.line(Self.makingDataCount(result))
        }
    }
}
