import Foundation
import ImprovementCore

/// A chart as SVG a person reads at a glance: a time-proportional x-axis (a missing period leaves
/// a visible gap and breaks the line), round-numbered gridlines in the measure's own unit (per
/// 1,000, %), the centre line and limits per phase, the target, phase boundaries, numbered
/// annotation markers whose full text is listed under the chart, and points coloured and shaped
/// by what they mean: blue squares improvement, orange diamonds concern, hollow circles excluded.
///
/// Styles are attributes, not CSS, so the same SVG reads inside the report and as a file of its
/// own (`standalone`: with a title band, the MDC icons and the notes drawn inside it).
struct SVGChart {
    let result: ChartResult
    let annotations: [Annotation]
    let phaseStarts: [Int]
    let title: String
    /// The measure's target, raw (as stored).
    var target: Double?
    var frequency: Measure.Frequency = .week
    /// A value range (raw) shared with neighbouring charts, so small multiples compare at a glance.
    var sharedRange: (low: Double, high: Double)?
    /// A file of its own: XML namespace, title, icons and notes inside the picture.
    var standalone = false

    static let width = 480.0
    static let plotTop = 22.0
    static let plotHeight = 170.0
    static let left = 54.0
    static let right = 14.0
    static let improvement = MDCIcons.improvementColour
    static let concern = MDCIcons.concernColour
    static let ink = "#3c4650"
    static let noteColour = "#7a4f00"
    /// A white outline behind a label, so it stays readable where it crosses lines and points.
    static let halo = "paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\" stroke-linejoin=\"round\""

    /// The annotations that fall inside the chart's span, numbered as their markers are.
    var notes: [(number: Int, date: Day, text: String)] {
        guard let first = points.first?.day, let last = points.last?.day else { return [] }
        return annotations.filter {
            $0.date >= first.adding(days: -1) && $0.date <= ChartAxis.next(last, frequency: frequency)
        }
        .enumerated().map { ($0.offset + 1, $0.element.date, $0.element.text) }
    }

    typealias Mark = PointMark

    func mark(_ index: Int) -> Mark { PointMark(result, index) }

    private var points: [(index: Int, day: Day)] {
        result.points.enumerated().compactMap { offset, point in Day(point.period).map { (offset, $0) } }
    }

    /// The value range (raw) this chart needs on its own: values, limits and target.
    static func range(of result: ChartResult, target: Double?) -> (low: Double, high: Double)? {
        let values =
            result.points.compactMap(\.value) + result.points.compactMap(\.lcl)
            + result.points.compactMap(\.ucl) + [target].compactMap { $0 }
        guard let low = values.min(), let high = values.max() else { return nil }
        return (low, high)
    }

    func rendered() -> String {
        let dated = points
        guard let firstDay = dated.first?.day, let lastDay = dated.last?.day,
            let own = Self.range(of: result, target: target)
        else { return "<p class=\"empty\">No data points yet.</p>" }
        let expression = result.expression
        let multiplier = expression.multiplier
        var raw = sharedRange ?? own
        raw = (min(raw.low, own.low), max(raw.high, own.high))
        let mayGoNegative = raw.low < 0
        var (low, high) = ChartAxis.niceRange(low: raw.low * multiplier, high: raw.high * multiplier)
        if !mayGoNegative { low = max(0, low) }
        if high <= low { high = low + 1 }
        let ticks = ChartAxis.valueTicks(low: low, high: high)

        let top = (standalone ? 48.0 : 0) + Self.plotTop
        let bottom = top + Self.plotHeight
        let plotWidth = Self.width - Self.left - Self.right
        let span = Double(max(1, lastDay.dayNumber - firstDay.dayNumber))
        let lead = dated.count == 1 ? 1.0 : 0.0
        func x(_ day: Day) -> Double {
            if dated.count == 1 { return Self.left + plotWidth / 2 }
            return Self.left + 6 + (plotWidth - 12) * Double(day.dayNumber - firstDay.dayNumber) / (span + lead)
        }
        func y(_ shown: Double) -> Double { bottom - Self.plotHeight * (shown - low) / (high - low) }
        func yRaw(_ value: Double) -> Double { y(value * multiplier) }

        var svg = ""
        // Gridlines and the value scale, in the unit people read.
        for tick in ticks {
            svg +=
                "<line x1=\"\(f(Self.left))\" x2=\"\(f(Self.width - Self.right))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" stroke=\"#e3e7ec\" stroke-width=\"1\"/>"
            svg +=
                "<text class=\"axis\" x=\"\(f(Self.left - 5))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\" font-size=\"13\" fill=\"#5b6776\">\(HTML.escape(expression.number(tick / multiplier)))</text>"
        }
        if let words = expression.words, words != "%" {
            svg +=
                "<text class=\"axis unit\" x=\"\(f(Self.left))\" y=\"\(f(top - 8))\" font-size=\"12\" fill=\"#5b6776\">\(HTML.escape(words))</text>"
        }
        // Time axis: month (or week) ticks placed by date, so gaps show.
        svg +=
            "<line x1=\"\(f(Self.left))\" x2=\"\(f(Self.width - Self.right))\" y1=\"\(f(bottom))\" y2=\"\(f(bottom))\" stroke=\"#9aa5b1\"/>"
        for tick in ChartAxis.timeTicks(from: firstDay, to: lastDay, maxLabels: 6) {
            let px = x(tick.day)
            svg +=
                "<line x1=\"\(f(px))\" x2=\"\(f(px))\" y1=\"\(f(bottom))\" y2=\"\(f(bottom + 4))\" stroke=\"#9aa5b1\"/>"
            svg +=
                "<text class=\"axis\" x=\"\(f(px))\" y=\"\(f(bottom + 17))\" text-anchor=\"middle\" font-size=\"13\" fill=\"#5b6776\">\(HTML.escape(tick.label))</text>"
        }
        // Phase boundaries, halfway between the last point of one phase and the first of the next.
        for start in phaseStarts where start > 0 && start < result.points.count {
            guard let before = Day(result.points[start - 1].period), let after = Day(result.points[start].period) else {
                continue
            }
            let px = (x(before) + x(after)) / 2
            let number = result.points[start].phase
            svg +=
                "<g class=\"phase\"><line x1=\"\(f(px))\" x2=\"\(f(px))\" y1=\"\(f(top))\" y2=\"\(f(bottom))\" stroke=\"\(Self.noteColour)\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>"
            svg +=
                "<text x=\"\(f(px + 4))\" y=\"\(f(top + 13))\" font-size=\"12\" fill=\"\(Self.noteColour)\" \(Self.halo)>phase \(number)</text></g>"
        }
        // Target.
        if let target {
            let py = yRaw(target)
            svg += "<g class=\"target\"><title>Target: \(HTML.escape(expression.text(target)))</title>"
            svg +=
                "<line x1=\"\(f(Self.left))\" x2=\"\(f(Self.width - Self.right))\" y1=\"\(f(py))\" y2=\"\(f(py))\" stroke=\"#2e7d32\" stroke-width=\"2\" stroke-dasharray=\"8 4\"/>"
            svg +=
                "<text x=\"\(f(Self.width - Self.right - 2))\" y=\"\(f(py - 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"#2e7d32\" \(Self.halo)>target \(HTML.escape(expression.number(target)))</text></g>"
        }
        // Centre line and limits as steps per phase, so they follow phases and varying denominators.
        svg += steps(
            \.centre, x: x, y: yRaw,
            attributes: "class=\"centre\" stroke=\"#2f6f9f\" stroke-width=\"1.5\" fill=\"none\"")
        svg += steps(
            \.ucl, x: x, y: yRaw,
            attributes: "class=\"limit\" stroke=\"#8e99a4\" stroke-dasharray=\"4 3\" fill=\"none\"")
        svg += steps(
            \.lcl, x: x, y: yRaw,
            attributes: "class=\"limit\" stroke=\"#8e99a4\" stroke-dasharray=\"4 3\" fill=\"none\"")
        // The data line, broken where a period is missing.
        var d = ""
        var previous: Day?
        for (index, day) in dated {
            guard let value = result.points[index].value else {
                previous = nil
                continue
            }
            let joined = previous.map { ChartAxis.next($0, frequency: frequency) >= day } ?? false
            d += (joined ? " L" : (d.isEmpty ? "M" : " M")) + "\(f(x(day))) \(f(yRaw(value)))"
            previous = day
        }
        if !d.isEmpty {
            svg += "<path class=\"data\" d=\"\(d)\" stroke=\"#6b7682\" stroke-width=\"1.2\" fill=\"none\"/>"
        }
        // Points, each with its date and value as a tooltip.
        for (index, day) in dated {
            let point = result.points[index]
            guard let value = point.value else { continue }
            let kind = mark(index)
            let state: String
            switch kind {
            case .excluded: state = " (excluded from the limits)"
            case .improvement: state = " (signal: improvement)"
            case .concern: state = " (signal: concern)"
            case .signal: state = point.outside ? " (beyond the limits)" : " (signal)"
            case .plain: state = ""
            }
            let tip = "<title>\(DayText.long(day)): \(HTML.escape(expression.text(value)))\(state)</title>"
            svg += Self.symbol(kind, x: x(day), y: yRaw(value), tip: tip)
        }
        // Annotation markers: numbered, their text in the notes under the chart.
        for note in notes {
            let px = min(max(x(note.date), Self.left), Self.width - Self.right)
            svg += "<g class=\"annotation\"><title>\(DayText.long(note.date)): \(HTML.escape(note.text))</title>"
            svg +=
                "<line x1=\"\(f(px))\" x2=\"\(f(px))\" y1=\"\(f(top))\" y2=\"\(f(bottom))\" stroke=\"\(Self.noteColour)\" stroke-width=\"0.8\" stroke-dasharray=\"1 3\"/>"
            svg += "<circle cx=\"\(f(px))\" cy=\"\(f(top - 9))\" r=\"7\" fill=\"\(Self.noteColour)\"/>"
            svg +=
                "<text x=\"\(f(px))\" y=\"\(f(top - 5.5))\" text-anchor=\"middle\" font-size=\"10\" font-weight=\"700\" fill=\"#fff\">\(note.number)</text></g>"
        }
        var height = bottom + 27
        let (legend, legendHeight) = self.legend(y: height)
        svg += legend
        height += legendHeight
        if standalone {
            var header =
                "<text x=\"8\" y=\"20\" font-size=\"14\" font-weight=\"700\" fill=\"\(Self.ink)\">\(HTML.escape(TerminalChart.fit(title, 52)))</text>"
            if let caption = expression.caption {
                header += "<text x=\"8\" y=\"37\" font-size=\"11\" fill=\"#5b6776\">\(HTML.escape(caption))</text>"
            }
            header += MDCIcons.variation(result.mdcVariation, side: result.mdcSide, x: Self.width - 88, y: 4)
            header += MDCIcons.assurance(result.mdcAssurance, x: Self.width - 44, y: 4)
            svg = header + svg
            for note in notes {
                let lines = Self.wrap("\(note.number). \(DayText.long(note.date)): \(note.text)", width: 64)
                for (offset, line) in lines.enumerated() {
                    height += 14
                    svg +=
                        "<text class=\"note\" x=\"\(offset == 0 ? 8 : 22)\" y=\"\(f(height))\" font-size=\"12\" fill=\"\(Self.noteColour)\">\(HTML.escape(line))</text>"
                }
            }
            if !notes.isEmpty { height += 8 }
        }
        let namespace = standalone ? " xmlns=\"http://www.w3.org/2000/svg\"" : ""
        let size =
            standalone ? " width=\"\(Int(Self.width * 1.5))\" height=\"\(Int((height * 1.5).rounded(.up)))\"" : ""
        return "<svg\(namespace) class=\"chart\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height.rounded(.up)))\"\(size) "
            + "font-family=\"system-ui,-apple-system,'Segoe UI',sans-serif\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
            + "<title>\(HTML.escape(title))</title>"
            + (standalone ? "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>" : "") + svg + "</svg>"
    }

    /// A point's symbol: shape and colour both say what it means, so it reads without colour.
    static func symbol(_ mark: Mark, x: Double, y: Double, tip: String) -> String {
        let (px, py) = (f(x), f(y))
        switch mark {
        case .plain:
            return "<circle class=\"point\" cx=\"\(px)\" cy=\"\(py)\" r=\"3.2\" fill=\"\(ink)\">\(tip)</circle>"
        case .excluded:
            return
                "<circle class=\"point excluded\" cx=\"\(px)\" cy=\"\(py)\" r=\"4\" fill=\"#fff\" stroke=\"\(ink)\" stroke-width=\"1.5\">\(tip)</circle>"
        case .improvement:
            return
                "<rect class=\"point signal improvement\" x=\"\(f(x - 4.5))\" y=\"\(f(y - 4.5))\" width=\"9\" height=\"9\" fill=\"\(improvement)\" stroke=\"#fff\" stroke-width=\"0.8\">\(tip)</rect>"
        case .concern:
            return
                "<path class=\"point signal concern\" d=\"M\(px) \(f(y - 6)) l6 6 l-6 6 l-6 -6 z\" fill=\"\(concern)\" stroke=\"#fff\" stroke-width=\"0.8\">\(tip)</path>"
        case .signal:
            return
                "<circle class=\"point signal neutral\" cx=\"\(px)\" cy=\"\(py)\" r=\"4.5\" fill=\"#5b3f99\" stroke=\"#fff\" stroke-width=\"0.8\">\(tip)</circle>"
        }
    }

    /// A key to the symbols and lines this chart uses, wrapped to the chart's width.
    private func legend(y top: Double) -> (String, Double) {
        let marks = Set(result.points.indices.filter { result.points[$0].value != nil }.map(mark))
        var items: [(String, String)] = []  // (drawing at 0,0, words)
        items.append(("<circle cx=\"6\" cy=\"0\" r=\"3.2\" fill=\"\(Self.ink)\"/>", "value"))
        if marks.contains(.improvement) {
            items.append(
                ("<rect x=\"1.5\" y=\"-4.5\" width=\"9\" height=\"9\" fill=\"\(Self.improvement)\"/>", "improvement"))
        }
        if marks.contains(.concern) {
            items.append(("<path d=\"M6 -6 l6 6 l-6 6 l-6 -6 z\" fill=\"\(Self.concern)\"/>", "concern"))
        }
        if marks.contains(.signal) {
            items.append(("<circle cx=\"6\" cy=\"0\" r=\"4.5\" fill=\"#5b3f99\"/>", "signal"))
        }
        if marks.contains(.excluded) {
            items.append(
                (
                    "<circle cx=\"6\" cy=\"0\" r=\"4\" fill=\"#fff\" stroke=\"\(Self.ink)\" stroke-width=\"1.5\"/>",
                    "excluded"
                ))
        }
        let centreName = result.kind == .run || result.kind == .g ? "median" : "mean"
        items.append(
            ("<line x1=\"0\" x2=\"14\" y1=\"0\" y2=\"0\" stroke=\"#2f6f9f\" stroke-width=\"1.5\"/>", centreName))
        if result.points.contains(where: { $0.ucl != nil || $0.lcl != nil }) {
            items.append(
                ("<line x1=\"0\" x2=\"14\" y1=\"0\" y2=\"0\" stroke=\"#8e99a4\" stroke-dasharray=\"4 3\"/>", "limits"))
        }
        if target != nil {
            items.append(
                (
                    "<line x1=\"0\" x2=\"14\" y1=\"0\" y2=\"0\" stroke=\"#2e7d32\" stroke-width=\"2\" stroke-dasharray=\"8 4\"/>",
                    "target"
                ))
        }
        var svg = "<g class=\"legend\" font-size=\"12\" fill=\"#5b6776\">"
        var px = Self.left
        var row = 0.0
        for (drawing, words) in items {
            let width = 20 + Double(words.count) * 6.8 + 12
            if px + width > Self.width - Self.right, px > Self.left {
                px = Self.left
                row += 16
            }
            svg +=
                "<g transform=\"translate(\(f(px)) \(f(top + row)))\">\(drawing)<text x=\"18\" y=\"4\">\(words)</text></g>"
            px += width
        }
        return (svg + "</g>", row + 14)
    }

    /// One stepped path per phase: each point's line runs from halfway to the previous point to
    /// halfway to the next, so the steps sit under the points they belong to.
    private func steps(
        _ line: KeyPath<ChartPoint, Double?>, x: (Day) -> Double, y: (Double) -> Double, attributes: String
    )
        -> String
    {
        let dated = points
        var d = ""
        var drawing = false
        for (position, (index, day)) in dated.enumerated() {
            let point = result.points[index]
            guard let value = point[keyPath: line] else {
                drawing = false
                continue
            }
            let left = position == 0 ? x(day) : (x(dated[position - 1].day) + x(day)) / 2
            let right = position + 1 == dated.count ? x(day) : (x(day) + x(dated[position + 1].day)) / 2
            let newPhase = position > 0 && result.points[dated[position - 1].index].phase != point.phase
            if drawing && !newPhase {
                d += " V\(Self.f(y(value))) H\(Self.f(right))"
            } else {
                d += (d.isEmpty ? "" : " ") + "M\(Self.f(left)) \(Self.f(y(value))) H\(Self.f(right))"
                drawing = true
            }
        }
        return d.isEmpty ? "" : "<path \(attributes) d=\"\(d)\"/>"
    }

    /// Words broken into lines of at most `width` characters, never inside a word.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = String(word)
            } else {
                line += (line.isEmpty ? "" : " ") + word
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
    private func f(_ value: Double) -> String { Self.f(value) }
}

enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
