import Foundation
import ImprovementCore

/// A chart as inline SVG: centre line, control limits, phases, annotations, points, and the
/// points of a signal highlighted. Scales to its container, so it reads on a phone and prints.
struct SVGChart {
    let result: ChartResult
    let annotations: [Annotation]
    let phaseStarts: [Int]
    let title: String

    static let width = 640.0
    static let height = 240.0
    static let margin = (left: 56.0, right: 16.0, top: 16.0, bottom: 36.0)

    func rendered() -> String {
        let points = result.points
        let signalled = Set(result.signals.flatMap(\.points))
        let expression = result.expression
        let bounds = points.compactMap(\.value) + points.compactMap(\.lcl) + points.compactMap(\.ucl)
        guard var low = bounds.min(), var high = bounds.max(), !points.isEmpty else {
            return "<p class=\"empty\">No data points yet.</p>"
        }
        if high == low {
            low -= 1
            high += 1
        }
        let pad = (high - low) * 0.08
        low = max(result.kind == .run || result.kind == .i ? low - pad : 0, low - pad)
        high += pad
        let plotWidth = Self.width - Self.margin.left - Self.margin.right
        let plotHeight = Self.height - Self.margin.top - Self.margin.bottom
        func x(_ index: Int) -> Double {
            Self.margin.left + (points.count == 1 ? plotWidth / 2 : plotWidth * Double(index) / Double(points.count - 1))
        }
        func y(_ value: Double) -> Double { Self.margin.top + plotHeight * (1 - (value - low) / (high - low)) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }

        var svg = "<svg viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        svg += "<title>\(HTML.escape(title))</title>"
        // Axis labels: top and bottom of the scale, first and last period.
        svg += "<text class=\"axis\" x=\"4\" y=\"\(f(y(high) + 10))\">\(expression.number(high))</text>"
        svg += "<text class=\"axis\" x=\"4\" y=\"\(f(y(low)))\">\(expression.number(low))</text>"
        svg += "<text class=\"axis\" x=\"\(f(x(0)))\" y=\"\(f(Self.height - 8))\">\(points[0].period)</text>"
        if points.count > 1 {
            svg += "<text class=\"axis\" text-anchor=\"end\" x=\"\(f(x(points.count - 1)))\" y=\"\(f(Self.height - 8))\">\(points[points.count - 1].period)</text>"
        }
        // Phases.
        for start in phaseStarts where start < points.count {
            let position = (x(start - 1) + x(start)) / 2
            svg += "<line class=\"phase\" x1=\"\(f(position))\" x2=\"\(f(position))\" y1=\"\(f(Self.margin.top))\" y2=\"\(f(Self.height - Self.margin.bottom))\"/>"
        }
        // Centre line and limits, as steps so they follow phases and varying denominators.
        svg += path(points.map(\.centre), x: x, y: y, cssClass: "centre")
        svg += path(points.map(\.ucl), x: x, y: y, cssClass: "limit")
        svg += path(points.map(\.lcl), x: x, y: y, cssClass: "limit")
        // The data line and points.
        svg += path(points.map(\.value), x: x, y: y, cssClass: "data", steps: false)
        for (index, point) in points.enumerated() {
            guard let value = point.value else { continue }
            let signal = !point.excluded && (signalled.contains(index) || point.outside)
            let cssClass = point.excluded ? "point excluded" : signal ? "point signal" : "point"
            svg += "<circle class=\"\(cssClass)\" cx=\"\(f(x(index)))\" cy=\"\(f(y(value)))\" r=\"\(signal ? 4.5 : 3)\">"
            let state = point.excluded ? " (excluded from the limits)" : point.outside ? " (beyond the limits)" : ""
            svg += "<title>\(point.period): \(HTML.escape(expression.text(value)))\(state)</title></circle>"
        }
        // Annotations: a marker on the time axis with the note as its tooltip and a short label.
        for note in annotations {
            guard let index = points.firstIndex(where: { $0.period >= note.date.description }) else { continue }
            let position = x(index)
            svg += "<g class=\"annotation\"><title>\(note.date): \(HTML.escape(note.text))</title>"
            svg += "<path d=\"M\(f(position)) \(f(Self.height - Self.margin.bottom)) l-5 9 h10 z\"/>"
            svg += "<text x=\"\(f(position + 6))\" y=\"\(f(Self.margin.top + 10))\">\(HTML.escape(String(note.text.prefix(28))))</text></g>"
        }
        return svg + "</svg>"
    }

    private func path(_ values: [Double?], x: (Int) -> Double, y: (Double) -> Double, cssClass: String, steps: Bool = true)
        -> String
    {
        var d = ""
        var drawing = false
        for (index, value) in values.enumerated() {
            guard let value else {
                drawing = false
                continue
            }
            let px = String(format: "%.1f", x(index))
            let py = String(format: "%.1f", y(value))
            if !drawing {
                d += "M\(px) \(py)"
                drawing = true
            } else if steps {
                d += " V\(py) H\(px)"
            } else {
                d += " L\(px) \(py)"
            }
            if steps && index + 1 == values.count { d += " H\(String(format: "%.1f", x(index)))" }
        }
        return d.isEmpty ? "" : "<path class=\"\(cssClass)\" d=\"\(d)\"/>"
    }
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
