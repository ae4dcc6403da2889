import ImprovementCore

/// JSON for machine-readable output (`--json`), written with keys in a fixed order and explicit
/// nulls, so scripts and tests can rely on every key being present.
enum JSONOut: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONOut])
    case object([(String, JSONOut)])

    static func == (lhs: JSONOut, rhs: JSONOut) -> Bool { lhs.rendered() == rhs.rendered() }

    static func text(_ value: String?) -> JSONOut { value.map(JSONOut.string) ?? .null }
    static func number(_ value: Double?) -> JSONOut { value.map(JSONOut.number) ?? .null }
    static func integer(_ value: some BinaryInteger) -> JSONOut { .number(Double(value)) }

    /// Pretty-printed with two-space indentation, ending without a newline. `indent` is the
    /// depth the value starts at (for writing the items of a long array one at a time).
    func rendered(indent: Int = 0) -> String {
        var out = ""
        append(to: &out, indent: indent)
        return out
    }

    private func append(to out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let number): out += NumberText.json(number)
        case .string(let text): Self.appendString(text, to: &out)
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                item.append(to: &out, indent: indent + 2)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{\n"
            for (index, (key, value)) in members.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                Self.appendString(key, to: &out)
                out += ": "
                value.append(to: &out, indent: indent + 2)
                out += index == members.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    static func appendString(_ text: String, to out: inout String) {
        CanonicalJSON.appendString(text, to: &out)
    }
}
