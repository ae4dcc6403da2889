import ArgumentParser
import Foundation
import ImprovementCore

/// `improve compare`: a fair comparison of units or sites that allows for their size (funnel plot).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compares units (or sites) on a proportion or rate, allowing for their size (funnel plot).",
        discussion: """
            Each unit's numerators and denominators are added up over the period (--from, --to; all \
            data without them) and its proportion or rate is set against the pooled value of all \
            units, with 95% and 99.8% limits at the unit's own denominator (Spiegelhalter 2005): \
            proportions p0 ± z·√(p0(1 − p0)/n), rates p0 ± z·√(p0/n). A small ward needs a bigger \
            difference than a large one before it stands out, so a unit outside the 99.8% limits is \
            very unlikely to differ by chance; outside the 95% limits only, look closer. Units \
            inside the limits should not be ranked: their differences are what chance produces.

            --overdispersion widens the limits by Spiegelhalter's multiplicative factor φ, the mean \
            squared z-score after winsorising the z-scores at their 10th and 90th percentiles (used \
            only when above 1), for measures where units differ more than chance alone explains \
            (case mix, very large denominators).

            Values are shown as the measure expresses them (per 1,000, %). --json prints {measure, \
            name, from, to, by, multiplier, expressedAs, better, statistic, pooled, phi, \
            estimatedPhi, entries[{id, name, site, numerator, denominator, value, z, lower95, \
            upper95, lower998, upper998, position, side, direction}]} with raw values; position is \
            within, outside-95 or outside-99.8.
            """)

    @Argument(help: "The measure id (a p, p′, u or u′ measure: numerator and denominator).")
    var measure: String
    @Option(help: ArgumentHelp("Only periods from this date.", valueName: "YYYY-MM-DD"))
    var from: String?
    @Option(help: ArgumentHelp("Only periods up to this date.", valueName: "YYYY-MM-DD"))
    var to: String?
    @Option(help: "Only the units of this site.")
    var site: String?
    @Option(help: "Compare each unit (default) or each site, its units pooled: unit or site.")
    var by: String = "unit"
    @Flag(help: "Widen the limits for overdispersion (Spiegelhalter's multiplicative φ).")
    var overdispersion = false
    @Flag(help: "Print the comparison as JSON.")
    var json = false
    @OptionGroup var location: StoreLocation

    func validate() throws {
        _ = try Input.optionalDay(from, field: "--from date")
        _ = try Input.optionalDay(to, field: "--to date")
        guard by == "unit" || by == "site" else { throw ValidationError("--by must be unit or site.") }
        if let from = try Input.optionalDay(from, field: "--from date"),
            let to = try Input.optionalDay(to, field: "--to date"),
            to < from
        {
            throw ValidationError("--to (\(to)) is before --from (\(from)): give the earlier date first.")
        }
    }

    /// What `--json` prints.
    struct Output: Encodable {
        let measure: String
        let name: String
        let from: String?
        let to: String?
        let by: String
        let multiplier: Double
        let expressedAs: String?
        let better: Measure.Direction
        let statistic: FunnelPlot.Statistic
        let pooled: Double
        let phi: Double
        let estimatedPhi: Double?
        let entries: [FunnelPlot.Entry]

        private enum CodingKeys: String, CodingKey {
            case measure, name, from, to, by, multiplier, expressedAs, better, statistic, pooled, phi, estimatedPhi,
                entries
        }

        /// Every key, `null` for what is missing.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(measure, forKey: .measure)
            try container.encode(name, forKey: .name)
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
            try container.encode(by, forKey: .by)
            try container.encode(multiplier, forKey: .multiplier)
            try container.encode(expressedAs, forKey: .expressedAs)
            try container.encode(better, forKey: .better)
            try container.encode(statistic, forKey: .statistic)
            try container.encode(pooled, forKey: .pooled)
            try container.encode(phi, forKey: .phi)
            try container.encode(estimatedPhi, forKey: .estimatedPhi)
            try container.encode(entries, forKey: .entries)
        }
    }

    /// The statistic a measure's chart compares, or nil when it has no numerator and denominator.
    static func statistic(of measure: Measure) -> FunnelPlot.Statistic? {
        switch measure.chart {
        case .p, .pp: .proportion
        case .u, .up: .rate
        case .run, .i, .mr, .c, .g, .t: nil
        }
    }

    /// The funnel plot of a measure, as `compare` and the report draw it; nil for measures that
    /// are not proportions or rates.
    static func plot(
        store: ImprovementStore, measure: Measure, from: Day? = nil, to: Day? = nil, site: String? = nil,
        bySite: Bool = false, overdispersion: Bool = false
    ) throws -> FunnelPlot? {
        guard let statistic = statistic(of: measure) else { return nil }
        let totals = try store.funnelTotals(measure: measure, from: from, to: to, site: site, bySite: bySite)
        return FunnelPlot(
            statistic: statistic, units: totals, better: measure.direction, overdispersion: overdispersion)
    }

    func run() throws {
        let device = try Device.open(location)
        guard let definition = try device.store.record(Measure.self, id: measure) else {
            throw CLIError(
                "There is no measure \"\(measure)\" on this device. List them with improve measure list, or sync.")
        }
        if let site, try device.store.record(Site.self, id: site) == nil {
            throw CLIError("There is no site \"\(site)\" on this device. List them with improve site list, or sync.")
        }
        let fromDay = try Input.optionalDay(from, field: "--from date")
        let toDay = try Input.optionalDay(to, field: "--to date")
        guard
            let plot = try Self.plot(
                store: device.store, measure: definition, from: fromDay, to: toDay, site: site, bySite: by == "site",
                overdispersion: overdispersion)
        else {
            throw CLIError(
                "\(definition.name) is a \(definition.chart.rawValue) chart measure: a funnel plot compares proportions or "
                    + "rates, so it needs a p, p′, u or u′ measure with numerators and denominators.")
        }
        guard !plot.entries.isEmpty else {
            throw CLIError(
                "\(definition.name) has no data points with a denominator above 0 \(Self.span(from, to)): "
                    + "record some, or widen --from and --to.")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let output = Output(
                measure: definition.id, name: definition.name, from: from, to: to, by: by,
                multiplier: definition.expression.multiplier, expressedAs: definition.expression.words,
                better: definition.direction, statistic: plot.statistic, pooled: plot.pooled, phi: plot.phi,
                estimatedPhi: plot.estimatedPhi, entries: plot.entries)
            Console.line(String(decoding: try encoder.encode(output), as: UTF8.self))
        } else {
            var siteNames: [String: String] = [:]
            for id in Set(plot.entries.map(\.site)) {
                siteNames[id] = try device.store.record(Site.self, id: id)?.name
            }
            Console.line(Self.table(plot, measure: definition, span: Self.span(from, to), by: by, siteNames: siteNames))
        }
    }

    static func span(_ from: String?, _ to: String?) -> String {
        switch (from, to) {
        case (let from?, let to?): "from \(from) to \(to)"
        case (let from?, nil): "from \(from)"
        case (nil, let to?): "up to \(to)"
        case (nil, nil): "over all periods"
        }
    }

    /// The comparison as a table, then the units outside the limits named.
    static func table(
        _ plot: FunnelPlot, measure: Measure, span: String, by: String, siteNames: [String: String] = [:]
    ) -> String {
        let expression = measure.expression
        let total = plot.entries.reduce((0.0, 0.0)) { ($0.0 + $1.numerator, $0.1 + $1.denominator) }
        var lines = TerminalChart.wrap("\(measure.name): each \(by) compared \(span) (funnel plot, Spiegelhalter 2005)")
        lines += TerminalChart.wrap(
            "Pooled: \(expression.text(plot.pooled)) (\(count(total.0)) \(plot.statistic == .proportion ? "of" : "over") \(count(total.1)))."
                + (plot.estimatedPhi.map {
                    " Overdispersion φ = \(ValueExpression.plain.number($0))"
                        + ($0 > 1 ? ": limits widened by √φ." : ": no wider than chance, limits unchanged.")
                } ?? ""))
        lines.append("")
        // Sites compared name themselves; units also say their site. 80 columns either way.
        let bySite = by == "site"
        let nameWidth = bySite ? 21 : 13
        func row(_ cells: [String]) -> String {
            var fitted = [fit(cells[0], nameWidth)]
            if !bySite { fitted.append(fit(cells[1], 8)) }
            fitted += [
                fit(cells[2], 9, right: true), fit(cells[3], 11, right: true), fit(cells[4], 6, right: true),
                fit(cells[5], 12, right: true), fit(cells[6], 12, right: true), cells[7],
            ]
            return fitted.joined(separator: " ").trimmingCharacters(in: .whitespaces)
        }
        lines.append(row([by, "site", "numerator", "denominator", "value", "95% limits", "99.8% limits", ""]))
        for entry in plot.entries {
            lines.append(
                row([
                    entry.name, siteNames[entry.site] ?? entry.site, count(entry.numerator), count(entry.denominator),
                    expression.number(entry.value),
                    expression.number(entry.lower95) + "–" + expression.number(entry.upper95),
                    expression.number(entry.lower998) + "–" + expression.number(entry.upper998),
                    entry.position == .outside998 ? "**" : entry.position == .outside95 ? "*" : "",
                ]))
        }
        if let words = expression.words, words != "%" {
            lines.append("Values \(words). * outside the 95% limits, ** outside the 99.8% limits.")
        } else {
            lines.append("* outside the 95% limits, ** outside the 99.8% limits.")
        }
        lines.append("")
        for (position, heading) in [
            (FunnelPlot.Position.outside998, "Outside the 99.8% limits"), (.outside95, "Outside the 95% limits only"),
        ] {
            let found = plot.entries.filter { $0.position == position }
            guard !found.isEmpty else {
                lines.append("\(heading): none.")
                continue
            }
            let named = found.map { entry in
                let side = entry.side == .higher ? "higher" : "lower"
                let meaning =
                    switch entry.direction {
                    case .improvement?: " — better than the rest"
                    case .concern?: " — worse than the rest"
                    default: ""
                    }
                return "\(entry.name) (\(expression.text(entry.value)), \(side)\(meaning))"
            }
            lines += TerminalChart.wrap("\(heading): " + named.joined(separator: "; ") + ".", indent: "  ")
        }
        let within = plot.entries.filter { $0.position == .within }.count
        lines += TerminalChart.wrap(
            "Within the limits: \(within) of \(plot.entries.count) — their differences are what chance alone produces; "
                + "do not rank them.")
        return lines.joined(separator: "\n")
    }

    private static func count(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15
            ? Int(number).formatted(.number.grouping(.automatic)) : ValueExpression.plain.number(number)
    }

    /// The text cut (with an ellipsis) or padded to exactly `width` characters.
    private static func fit(_ text: String, _ width: Int, right: Bool = false) -> String {
        if text.count > width { return String(text.prefix(width - 1)) + "…" }
        let space = String(repeating: " ", count: width - text.count)
        return right ? space + text : text + space
    }
}
