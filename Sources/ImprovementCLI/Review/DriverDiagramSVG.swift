import Foundation
import ImprovementCore

/// A programme's driver diagram drawn as a tree: aim → primary drivers → secondary drivers →
/// change ideas (a change idea may hang straight off a primary driver), each box naming the
/// measures and PDSA cycles linked to it. Two drawings of the same tree: columns left to right
/// for wide screens and print, an indented tree for phones; the report's CSS shows one.
struct DriverDiagramSVG {
    let aim: String
    let nodes: [DriverNode]
    /// Lines to show inside a node's box (measures, PDSA cycles), by node id; "" is the aim.
    let details: [String: [String]]

    private struct Box {
        let id: String
        let kind: String
        let text: String
        let depth: Int
        var children: [Box]
    }

    private var tree: Box {
        let byParent = Dictionary(grouping: nodes) { $0.parent ?? "" }
        let known = Set(nodes.map(\.id))
        func box(_ node: DriverNode, visited: Set<String>) -> Box {
            let depth: Int
            switch node.kind {
            case .primary: depth = 1
            case .secondary: depth = 2
            case .change: depth = 3
            }
            let children = (byParent[node.id] ?? []).filter { !visited.contains($0.id) }.sorted(by: order)
            return Box(
                id: node.id, kind: node.kind.rawValue, text: node.text, depth: depth,
                children: children.map { box($0, visited: visited.union([node.id])) })
        }
        // Nodes whose parent is missing (not synced yet, or deleted) still hang off the aim.
        let roots = nodes.filter { $0.parent == nil || !known.contains($0.parent!) }.sorted(by: order)
        return Box(id: "", kind: "aim", text: aim, depth: 0, children: roots.map { box($0, visited: []) })
    }

    private func order(_ a: DriverNode, _ b: DriverNode) -> Bool {
        let rank: [DriverNode.Kind: Int] = [.primary: 0, .secondary: 1, .change: 2]
        return (rank[a.kind]!, a.id) < (rank[b.kind]!, b.id)
    }

    private static let colours: [String: (fill: String, stroke: String)] = [
        "aim": ("#2f6f9f", "#2f6f9f"), "primary": ("#e8f1f8", "#2f6f9f"), "secondary": ("#f3f6f9", "#7d8b99"),
        "change": ("#eaf5ec", "#2e7d32"),
    ]

    /// The box's text lines: its words wrapped, then its linked measures and cycles, smaller.
    private func lines(_ box: Box, width: Int) -> [(String, Bool)] {
        let label = box.kind == "aim" ? "Aim: " : box.kind == "change" ? "Change idea: " : ""
        return SVGChart.wrap(label + box.text, width: width).map { ($0, false) }
            + (details[box.id] ?? []).flatMap { SVGChart.wrap($0, width: width + 4).map { ($0, true) } }
    }

    private func drawBox(_ box: Box, x: Double, y: Double, width: Double, lines: [(String, Bool)]) -> String {
        let colour = Self.colours[box.kind] ?? ("#fff", "#999")
        let height = Self.height(lines)
        let whole = ([box.text] + (details[box.id] ?? [])).joined(separator: " · ")
        var svg =
            "<g class=\"node \(box.kind)\"><title>\(HTML.escape(whole))</title><rect x=\"\(SVGChart.f(x))\" y=\"\(SVGChart.f(y))\" width=\"\(SVGChart.f(width))\" height=\"\(SVGChart.f(height))\" rx=\"6\" fill=\"\(colour.fill)\" stroke=\"\(colour.stroke)\" stroke-width=\"1.5\"/>"
        var line = y + 18
        for (text, small) in lines {
            let fill = box.kind == "aim" ? "#fff" : small ? "#4d5966" : "#1d2733"
            let weight = !small && (box.kind == "aim" || box.kind == "primary") ? " font-weight=\"700\"" : ""
            svg +=
                "<text x=\"\(SVGChart.f(x + 8))\" y=\"\(SVGChart.f(line))\" font-size=\"\(small ? 11 : 13)\"\(weight) fill=\"\(fill)\">\(HTML.escape(text))</text>"
            line += small ? 14 : 17
        }
        return svg + "</g>"
    }

    private static func height(_ lines: [(String, Bool)]) -> Double {
        lines.reduce(10.0) { $0 + ($1.1 ? 14 : 17) } + 2
    }

    /// Columns left to right: aim, primary, secondary, change ideas.
    func wide() -> String {
        let columnWidth = 216.0
        let gap = 32.0
        var svg = ""
        func layout(_ box: Box, top: Double) -> (height: Double, middle: Double) {
            let own = lines(box, width: 26)
            let ownHeight = Self.height(own)
            var childTop = top
            var anchors: [(Double, Box)] = []
            for child in box.children {
                let placed = layout(child, top: childTop)
                anchors.append((placed.middle, child))
                childTop += placed.height + 10
            }
            let childrenHeight = box.children.isEmpty ? 0 : childTop - top - 10
            let total = max(ownHeight, childrenHeight)
            let boxTop = top + (box.children.isEmpty ? 0 : max(0, (childrenHeight - ownHeight) / 2))
            let x = Double(box.depth) * (columnWidth + gap) + 2
            svg += drawBox(box, x: x, y: boxTop, width: columnWidth, lines: own)
            let middle = boxTop + ownHeight / 2
            for (childMiddle, child) in anchors {
                let childX = Double(child.depth) * (columnWidth + gap) + 2
                let turn = childX - gap / 2
                svg +=
                    "<path d=\"M\(SVGChart.f(x + columnWidth)) \(SVGChart.f(middle)) H\(SVGChart.f(turn)) V\(SVGChart.f(childMiddle)) H\(SVGChart.f(childX))\" stroke=\"#7d8b99\" stroke-width=\"1.5\" fill=\"none\"/>"
            }
            return (total, middle)
        }
        let height = layout(tree, top: 2).height + 4
        let width = 4 * columnWidth + 3 * gap + 4
        return
            "<svg class=\"drivers wide\" viewBox=\"0 0 \(Int(width)) \(Int(height.rounded(.up)))\" font-family=\"system-ui,sans-serif\" role=\"img\" aria-label=\"Driver diagram\">"
            + svg + "</svg>"
    }

    /// An indented tree for narrow screens: each level one step to the right, linked by elbows.
    func narrow() -> String {
        let width = 360.0
        let indent = 18.0
        var svg = ""
        var y = 2.0
        func place(_ box: Box, level: Int, parent: (left: Double, bottom: Double)?) {
            let x = Double(level) * indent + 2
            let own = lines(box, width: Int((width - x - 18) / 7.8))
            let height = Self.height(own)
            if let parent {
                svg +=
                    "<path d=\"M\(SVGChart.f(parent.left + 8)) \(SVGChart.f(parent.bottom)) V\(SVGChart.f(y + 14)) H\(SVGChart.f(x))\" stroke=\"#7d8b99\" stroke-width=\"1.5\" fill=\"none\"/>"
            }
            svg += drawBox(box, x: x, y: y, width: width - x - 2, lines: own)
            let bottom = y + height
            y += height + 8
            for child in box.children { place(child, level: level + 1, parent: (x, bottom)) }
        }
        place(tree, level: 0, parent: nil)
        return
            "<svg class=\"drivers narrow\" viewBox=\"0 0 \(Int(width)) \(Int(y.rounded(.up)))\" font-family=\"system-ui,sans-serif\" role=\"img\" aria-label=\"Driver diagram\">"
            + svg + "</svg>"
    }
}
