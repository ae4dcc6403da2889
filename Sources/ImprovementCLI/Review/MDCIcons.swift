import Foundation

/// The NHS "Making Data Count" variation and assurance icons, drawn as small SVG groups.
///
/// They take the raw values of the variation ("common-cause", "special-cause-improvement",
/// "special-cause-concern", "special-cause-neutral") and assurance ("consistently-meets",
/// "hit-and-miss", "consistently-fails") so any view can draw them from JSON words. Colours follow
/// MDC (blue improvement, orange concern, grey neither) and every icon also carries a letter, so
/// they read without colour.
enum MDCIcons {
    static let improvementColour = "#1f6fb2"
    static let concernColour = "#d9730d"
    static let neutralColour = "#6b7682"
    static let size = 40.0

    /// The words for a variation value, as text output states them.
    static func variationWords(_ variation: String?) -> String? {
        switch variation {
        case "common-cause": "common cause variation"
        case "special-cause-improvement": "special cause variation — improvement"
        case "special-cause-concern": "special cause variation — concern"
        case "special-cause-neutral": "special cause variation — neither better nor worse"
        default: nil
        }
    }

    /// The words for an assurance value.
    static func assuranceWords(_ assurance: String?) -> String? {
        switch assurance {
        case "consistently-meets": "the process will consistently meet the target"
        case "hit-and-miss": "hit and miss: the process will sometimes meet the target"
        case "consistently-fails": "the process will consistently fail the target"
        default: nil
        }
    }

    /// The variation icon at (x, y), `size` wide: a ring with a letter — H or L for a special cause
    /// higher or lower than expected, ~ for common cause.
    static func variation(_ variation: String?, side: String?, x: Double, y: Double) -> String {
        guard let words = variationWords(variation) else { return "" }
        let colour: String
        switch variation {
        case "special-cause-improvement": colour = improvementColour
        case "special-cause-concern": colour = concernColour
        case "special-cause-neutral": colour = "#5b3f99"
        default: colour = neutralColour
        }
        let letter = variation == "common-cause" ? "~" : side == "lower" ? "L" : side == "higher" ? "H" : "!"
        return icon(colour: colour, letter: letter, words: words, kind: "variation", value: variation!, x: x, y: y)
    }

    /// The assurance icon at (x, y): P (pass), F (fail) or ? (hit and miss).
    static func assurance(_ assurance: String?, x: Double, y: Double) -> String {
        guard let words = assuranceWords(assurance) else { return "" }
        let (colour, letter): (String, String)
        switch assurance {
        case "consistently-meets": (colour, letter) = (improvementColour, "P")
        case "consistently-fails": (colour, letter) = (concernColour, "F")
        default: (colour, letter) = (neutralColour, "?")
        }
        return icon(colour: colour, letter: letter, words: words, kind: "assurance", value: assurance!, x: x, y: y)
    }

    /// Both icons as one inline SVG for HTML, with their words beside them for screen readers and print.
    static func html(variation: String?, side: String?, assurance: String?) -> String {
        let first = self.variation(variation, side: side, x: 0, y: 0)
        let second = self.assurance(assurance, x: first.isEmpty ? 0 : size + 6, y: 0)
        guard !first.isEmpty || !second.isEmpty else { return "" }
        let width = (first.isEmpty || second.isEmpty) ? size : size * 2 + 6
        let words = [variationWords(variation), assuranceWords(assurance)].compactMap { $0 }
        return
            "<div class=\"mdc\"><svg class=\"icons\" viewBox=\"0 0 \(Int(width)) \(Int(size))\" width=\"\(Int(width))\" "
            + "height=\"\(Int(size))\" role=\"img\" aria-label=\"\(HTML.escape(words.joined(separator: "; ")))\">"
            + first + second + "</svg><span>" + words.map(HTML.escape).joined(separator: "<br>") + "</span></div>"
    }

    private static func icon(
        colour: String, letter: String, words: String, kind: String, value: String, x: Double, y: Double
    )
        -> String
    {
        let r = size / 2
        let cx = x + r
        let cy = y + r
        return "<g class=\"mdc-icon \(kind) \(value)\"><title>\(HTML.escape(words))</title>"
            + "<circle cx=\"\(cx)\" cy=\"\(cy)\" r=\"\(r - 2)\" fill=\"#fff\" stroke=\"\(colour)\" stroke-width=\"3\"/>"
            + "<text x=\"\(cx)\" y=\"\(cy + 6)\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"700\" "
            + "font-family=\"system-ui,sans-serif\" fill=\"\(colour)\">\(HTML.escape(letter))</text></g>"
    }
}
