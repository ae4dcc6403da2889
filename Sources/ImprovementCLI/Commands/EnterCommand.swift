import ArgumentParser
import Foundation
import ImprovementCore

/// `improve enter`: asks for each data point that is due, one period at a time, and saves each
/// answer as soon as it is given.
struct EnterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enter",
        abstract: "Asks for each data point that is due (see improve due) and saves each answer at once.",
        discussion: """
            For each period that is due, oldest first, it shows the measure and its operational \
            definition (what the numerator and denominator count, what is included and excluded), \
            then asks for the numbers the measure's chart needs: numerator and denominator, or a \
            single value. Each answer is checked exactly as improve record checks it; a wrong one is \
            explained and asked again. An empty answer skips the period, q stops. Every data point \
            is saved the moment it is complete, so closing the terminal loses nothing already \
            answered. Answers can also be piped in, one per line.

              improve enter --unit ward-7
              printf '3\\n412\\n\\nq\\n' | improve enter --unit ward-7
            """)

    @OptionGroup var selection: DueSelection
    @OptionGroup var options: DeviceOptions

    func run() throws {
        let device = try options.open()
        let author = device.author(options.author)
        let query = try selection.query(on: device)
        let due = try device.store.due(query)
        let total = due.reduce(0) { $0 + $1.periods.count }
        guard total > 0 else {
            Console.line(DueCommand.text(due, site: query.site, today: device.store.today))
            return
        }
        Console.line(
            "\(total) data point\(total == 1 ? " is" : "s are") due at \(query.site). For each, type the number and "
                + "press Enter; an empty answer skips it, q stops. Each answer is saved at once.")
        let prompt = LinePrompt()
        var tally = Tally()
        var position = 0
        walk: for series in due {
            for period in series.periods {
                position += 1
                Console.line("\n[\(position)/\(total)] " + Self.heading(series, period: period))
                for line in Self.definition(series.measure) { Console.line("  " + line) }
                switch try ask(series, period: period, prompt: prompt, device: device, author: author) {
                case .saved: tally.saved += 1
                case .skipped:
                    tally.skipped += 1
                    Console.line("  Skipped.")
                case .quit: break walk
                }
            }
        }
        let left = total - tally.saved - tally.skipped
        var summary = "\nSaved \(tally.saved), skipped \(tally.skipped)"
        summary += left > 0 ? "; stopped with \(left) still due (improve due lists them)." : "."
        if tally.saved > 0 { summary += " improve sync sends what was saved." }
        Console.line(summary)
    }

    private struct Tally {
        var saved = 0
        var skipped = 0
    }

    private enum Outcome { case saved, skipped, quit }

    /// Asks for one period's numbers until they are saved, skipped or the person stops.
    private func ask(
        _ series: DueSeries, period: Day, prompt: LinePrompt, device: Device, author: String
    ) throws -> Outcome {
        let chart = series.measure.chart
        while true {
            var entry = ObservationEntry(measure: series.measure.id, unit: series.unit.id, period: period)
            if chart.needsNumeratorAndDenominator {
                switch prompt.number("Numerator") {
                case .number(let number): entry.numerator = number
                case .skip: return .skipped
                case .quit: return .quit
                }
                switch prompt.number("Denominator") {
                case .number(let number): entry.denominator = number
                case .skip: return .skipped
                case .quit: return .quit
                }
            } else {
                switch prompt.number("Value") {
                case .number(let number): entry.value = number
                case .skip: return .skipped
                case .quit: return .quit
                }
            }
            // The same checks and the same write as improve record: one transaction per answer.
            do {
                let saved = try device.store.write(author: author) { writer in try writer.record(entry) }
                let shown =
                    saved.value.map(NumberText.json)
                    ?? "\(NumberText.cell(saved.numerator)) / \(NumberText.cell(saved.denominator))"
                Console.line("  Saved: \(shown).")
                return .saved
            } catch let error as ImprovementCore.ValidationError {
                Console.line("  \(error.description) Nothing was saved. Try again (empty skips, q stops).")
            } catch let warned as ImplausibleEntry {
                // An unusual but possible value is confirmed with improve record --force, not here.
                Console.line(
                    "  \(warned.warnings.joined(separator: " ")) Nothing was saved. Try again (empty skips, q stops), "
                        + "or record it with improve record ... --force.")
            }
        }
    }

    /// "Falls per 1,000 bed days (falls-rate), Ward 7 (ward-7): week starting 2026-06-08".
    static func heading(_ series: DueSeries, period: Day) -> String {
        let when: String
        switch series.measure.frequency {
        case .day: when = "day \(period)"
        case .week: when = "week starting \(period)"
        case .month: when = "month starting \(period)"
        }
        return "\(series.measure.name) (\(series.measure.id)), \(series.unit.name) (\(series.unit.id)): \(when)"
    }

    /// The measure's operational definition, a line per part it has.
    static func definition(_ measure: Measure) -> [String] {
        let parts: [(String, String?)] = [
            ("Numerator", measure.chart.needsNumeratorAndDenominator ? measure.definition.numerator : nil),
            ("Denominator", measure.chart.needsNumeratorAndDenominator ? measure.definition.denominator : nil),
            ("Value", measure.chart.needsNumeratorAndDenominator ? nil : measure.definition.numerator),
            ("Includes", measure.definition.inclusions), ("Excludes", measure.definition.exclusions),
            ("Source", measure.definition.dataSource), ("Sampling", measure.definition.samplingPlan),
        ]
        let present = parts.compactMap { label, text in text.map { (label, $0) } }
        guard !present.isEmpty else { return ["(This measure has no operational definition yet.)"] }
        let width = present.map(\.0.count).max() ?? 0
        return present.map { label, text in
            label + ":" + String(repeating: " ", count: width - label.count + 1)
                + text.replacingOccurrences(of: "\n", with: " ")
        }
    }
}
