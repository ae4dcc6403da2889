import Foundation
import ImprovementCore

/// A funnel plot as inline SVG: each unit's value against its denominator, the pooled line, and
/// the 95% and 99.8% limits as curves. Units outside the limits are named beside their point and
/// drawn in a colour and a shape of their own (blue squares better, orange diamonds worse), so the
/// plot reads without colour too. No scripts; hovering a point shows its numbers.
struct FunnelSVG {
    let plot: FunnelPlot
    let expression: ValueExpression
    let title: String

    static let width = 640.0
    static let height = 300.0
    static let margin = (left: 60.0, right: 96.0, top: 16.0, bottom: 44.0)

    func rendered() -> String {
        guard let largest = plot.entries.map(\.denominator).max(), let smallest = plot.entries.map(\.denominator).min()
        else { return "<p class=\"empty\">Nothing to compare yet.</p>" }
        // The curves start a little left of the smallest unit: below that, the funnel only widens.
        let nLow = max(smallest * 0.6, largest / 400)
        let nHigh = largest * 1.05
        let samples = (0...80).map { nLow + (nHigh - nLow) * Double($0) / 80 }
        let curves = [FunnelPlot.z95, FunnelPlot.z998].map { z in samples.map { plot.limits(at: $0, z: z) } }
        let shown = plot.entries.map(\.value) + curves.flatMap { $0.flatMap { [$0.lower, $0.upper] } } + [plot.pooled]
        var low = shown.min() ?? 0
        var high = shown.max() ?? 1
        if high == low { high = low + 1 }
        let pad = (high - low) * 0.06
        low = max(0, low - pad)
        high += pad

        let plotWidth = Self.width - Self.margin.left - Self.margin.right
        let plotHeight = Self.height - Self.margin.top - Self.margin.bottom
        func x(_ n: Double) -> Double { Self.margin.left + plotWidth * n / nHigh }
        func y(_ value: Double) -> Double { Self.margin.top + plotHeight * (1 - (value - low) / (high - low)) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }

        var svg =
            "<svg viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"\(Self.escape(title))\">"
        svg += "<title>\(Self.escape(title))</title>"
        // Gridlines and the y scale, in the unit people read.
        // Round steps in the shown unit (per 1,000, %), placed at their raw values.
        for shownTick in Self.ticks(low * expression.multiplier, high * expression.multiplier) {
            let tick = shownTick / expression.multiplier
            svg +=
                "<line x1=\"\(f(Self.margin.left))\" x2=\"\(f(Self.margin.left + plotWidth))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" stroke=\"#e3e7ec\"/>"
            svg +=
                "<text x=\"\(f(Self.margin.left - 6))\" y=\"\(f(y(tick) + 3))\" text-anchor=\"end\" font-size=\"10\" fill=\"#5b6776\">\(Self.escape(expression.number(tick)))</text>"
        }
        for tick in Self.ticks(0, nHigh) where tick > 0 {
            svg +=
                "<line x1=\"\(f(x(tick)))\" x2=\"\(f(x(tick)))\" y1=\"\(f(Self.margin.top))\" y2=\"\(f(Self.margin.top + plotHeight))\" stroke=\"#f0f2f5\"/>"
            svg +=
                "<text x=\"\(f(x(tick)))\" y=\"\(f(Self.margin.top + plotHeight + 14))\" text-anchor=\"middle\" font-size=\"10\" fill=\"#5b6776\">\(Self.count(tick))</text>"
        }
        svg +=
            "<text x=\"\(f(Self.margin.left + plotWidth / 2))\" y=\"\(f(Self.height - 6))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#44505c\">denominator over the period (size)</text>"
        svg +=
            "<line x1=\"\(f(Self.margin.left))\" x2=\"\(f(Self.margin.left + plotWidth))\" y1=\"\(f(Self.margin.top + plotHeight))\" y2=\"\(f(Self.margin.top + plotHeight))\" stroke=\"#9aa5b1\"/>"

        // The pooled line and the funnel's curves.
        svg +=
            "<line class=\"funnel-pooled\" x1=\"\(f(x(nLow)))\" x2=\"\(f(x(nHigh)))\" y1=\"\(f(y(plot.pooled)))\" y2=\"\(f(y(plot.pooled)))\" stroke=\"#2f6f9f\" stroke-width=\"1.5\"/>"
        for (curve, (dash, name)) in zip(curves, [("5 3", "95%"), ("2 2", "99.8%")]) {
            for lower in [true, false] {
                let path = zip(samples, curve).map { "\(f(x($0))),\(f(y(lower ? $1.lower : $1.upper)))" }
                svg +=
                    "<polyline class=\"funnel-limit\" points=\"\(path.joined(separator: " "))\" fill=\"none\" stroke=\"#7b8794\" stroke-dasharray=\"\(dash)\"/>"
            }
            if let last = curve.last {
                svg +=
                    "<text x=\"\(f(x(nHigh) + 4))\" y=\"\(f(y(last.upper) + 3))\" font-size=\"10\" fill=\"#5b6776\">\(name)</text>"
                svg +=
                    "<text x=\"\(f(x(nHigh) + 4))\" y=\"\(f(y(last.lower) + 3))\" font-size=\"10\" fill=\"#5b6776\">\(name)</text>"
            }
        }
        svg +=
            "<text x=\"\(f(x(nHigh) + 4))\" y=\"\(f(y(plot.pooled) + 3))\" font-size=\"10\" fill=\"#2f6f9f\">pooled</text>"

        // The units: grey circles inside the limits; outside them a shape and colour for the meaning.
        for entry in plot.entries {
            let (cx, cy) = (x(entry.denominator), y(entry.value))
            let tip =
                "\(entry.name): \(expression.text(entry.value)) (\(Self.count(entry.numerator)) / \(Self.count(entry.denominator)))"
            let mark: String
            switch (entry.position, entry.direction) {
            case (.within, _):
                mark = "<circle class=\"funnel-unit\" cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"4\" fill=\"#6b7785\">"
            case (_, .improvement?):
                mark =
                    "<rect class=\"funnel-unit improvement\" x=\"\(f(cx - 5))\" y=\"\(f(cy - 5))\" width=\"10\" height=\"10\" fill=\"#1f5fa8\">"
            case (_, .concern?):
                mark =
                    "<path class=\"funnel-unit concern\" d=\"M\(f(cx)) \(f(cy - 6.5))L\(f(cx + 6.5)) \(f(cy))L\(f(cx)) \(f(cy + 6.5))L\(f(cx - 6.5)) \(f(cy))Z\" fill=\"#e07000\">"
            default:
                mark =
                    "<path class=\"funnel-unit neutral\" d=\"M\(f(cx)) \(f(cy - 6))L\(f(cx + 6)) \(f(cy + 5))L\(f(cx - 6)) \(f(cy + 5))Z\" fill=\"#7a4fa0\">"
            }
            let closing = mark.hasPrefix("<circle") ? "</circle>" : mark.hasPrefix("<rect") ? "</rect>" : "</path>"
            svg += mark + "<title>\(Self.escape(tip))</title>" + closing
            if entry.position != .within {
                let anchor = cx > Self.margin.left + plotWidth * 0.7 ? "end" : "start"
                let dx = anchor == "end" ? -8.0 : 8.0
                svg +=
                    "<text x=\"\(f(cx + dx))\" y=\"\(f(cy + 4))\" text-anchor=\"\(anchor)\" font-size=\"11\" fill=\"#1d2733\">\(Self.escape(entry.name))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Round steps covering `low`...`high`, about five of them.
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let span = high - low
        guard span > 0, span.isFinite else { return [low] }
        let rough = span / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? rough
        var tick = (low / step).rounded(.up) * step
        var found: [Double] = []
        while tick <= high + step * 1e-9, found.count < 12 {
            found.append(tick)
            tick += step
        }
        return found
    }

    static func count(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15
            ? Int(number).formatted() : ValueExpression.plain.number(number)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

// MARK: - The report's funnel section (called from HTMLReport.rendered)

extension HTMLReport {
    /// Periods a report's funnel plot covers: the latest 12 (weeks or months; 28 days for daily measures).
    static func funnelStart(_ measure: Measure, today: Day) -> Day {
        let current = measure.frequency.periodStart(of: today)
        switch measure.frequency {
        case .day: return current.adding(days: -27)
        case .week: return current.adding(days: -7 * 11)
        case .month: return current.addingMonths(-11)
        }
    }

    /// One funnel plot per proportion or rate measure with two units or more: a fair comparison
    /// of the units over the latest 12 periods, those outside the limits named.
    func funnelSection(_ measures: [Measure]) throws -> String {
        var html = ""
        for measure in measures {
            let from = Self.funnelStart(measure, today: store.today)
            guard let plot = try CompareCommand.plot(store: store, measure: measure, from: from),
                plot.entries.count >= 2
            else { continue }
            let expression = measure.expression
            let unit = measure.frequency == .day ? "days" : "\(measure.frequency.rawValue)s"
            let title =
                "\(measure.name) — units compared, latest \(measure.frequency == .day ? 28 : 12) \(unit) (from \(from))"
            html += "<figure class=\"chart funnel\"><figcaption>\(FunnelSVG.escape(title))</figcaption>"
            html += FunnelSVG(plot: plot, expression: expression, title: title).rendered()
            let outside = plot.entries.filter { $0.position != .within }
            let named = outside.map { entry in
                let meaning =
                    entry.direction == .improvement ? "better" : entry.direction == .concern ? "worse" : "different"
                let limit = entry.position == .outside998 ? "99.8%" : "95%"
                return
                    "\(FunnelSVG.escape(entry.name)) (\(FunnelSVG.escape(expression.text(entry.value))), \(meaning), outside the \(limit) limits)"
            }
            html +=
                "<p class=\"funnel-note\">Pooled \(FunnelSVG.escape(expression.text(plot.pooled))). "
                + (named.isEmpty
                    ? "Every unit lies within the limits: their differences are what chance produces, so do not rank them."
                    : "Outside the limits: " + named.joined(separator: "; ") + ". The others lie within them.")
                + "</p></figure>"
        }
        return html.isEmpty ? "" : "<h3>Fair comparison of units (funnel plots)</h3>" + html
    }
}
