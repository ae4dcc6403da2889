import Foundation

/// One field's value in a synced record or change: what JSON can carry, minus arrays and objects.
public enum FieldValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case text(String)

    /// The string, when the value is text; nil otherwise.
    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The number, when the value is one; nil otherwise.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The flag, when the value is true or false; nil otherwise.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// True for JSON null: a field never written, or cleared.
    public var isNull: Bool { self == .null }

    /// The canonical JSON text of this value (integers without a fraction, shortest round trip).
    public var json: String {
        var out = ""
        CanonicalJSON.append(self, to: &out)
        return out
    }
}

extension FieldValue: Codable {
    /// Reads a JSON null, boolean, number or string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .text(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "A field value must be null, true/false, a number or a string")
        }
    }

    /// Writes the value as the JSON null, boolean, number or string it is.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        }
    }
}

/// Field name to value.
public typealias FieldMap = [String: FieldValue]

/// Writes the canonical JSON the change log stores: sorted keys, no spaces, so equal content
/// gives equal text and the server can hand stored text out without re-encoding it.
package enum CanonicalJSON {
    package static func append(_ value: FieldValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let number): appendNumber(number, to: &out)
        case .text(let text): appendString(text, to: &out)
        }
    }

    package static func appendNumber(_ number: Double, to out: inout String) {
        if number.isFinite, number == number.rounded(), abs(number) < 9_007_199_254_740_992 {
            out += String(Int64(number))
        } else if number.isFinite {
            out += String(number)
        } else {
            out += "null"  // validation keeps NaN and infinities out; never emit invalid JSON
        }
    }

    package static func appendString(_ text: String, to out: inout String) {
        out += "\""
        var needsEscaping = false
        for byte in text.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscaping = true
            break
        }
        if !needsEscaping {
            out += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
    }

    package static func object(_ fields: FieldMap) -> String {
        // Written as bytes: appending to a String piece by piece costs more than the JSON itself.
        var out: [UInt8] = []
        out.reserveCapacity(320)
        out.append(UInt8(ascii: "{"))
        var first = true
        for key in fields.keys.sorted() {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendBytes(string: key, to: &out)
            out.append(UInt8(ascii: ":"))
            switch fields[key]! {
            case .null: out.append(contentsOf: "null".utf8)
            case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
            case .number(let number):
                if number.isFinite, number == number.rounded(), abs(number) < 1e15 {
                    appendInteger(Int64(number), to: &out)
                } else {
                    var text = ""
                    appendNumber(number, to: &text)
                    out.append(contentsOf: text.utf8)
                }
            case .text(let text): appendBytes(string: text, to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out.append(contentsOf: digits.reversed())
    }

    private static func appendBytes(string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var plain = true
        for byte in string.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            plain = false
            break
        }
        if plain {
            out.append(contentsOf: string.utf8)
            out.append(UInt8(ascii: "\""))
        } else {
            var text = ""
            appendString(string, to: &text)
            out.append(contentsOf: text.utf8.dropFirst())
        }
    }

    package static func object(_ base: [String: HLC?]) -> String {
        var out = "{"
        var first = true
        for key in base.keys.sorted() {
            if !first { out += "," }
            first = false
            appendString(key, to: &out)
            out += ":"
            if let stamp = base[key]! {
                appendString(stamp.description, to: &out)
            } else {
                out += "null"
            }
        }
        out += "}"
        return out
    }

    package static func object(_ versions: [String: HLC]) -> String {
        var out = "{"
        var first = true
        for key in versions.keys.sorted() {
            if !first { out += "," }
            first = false
            appendString(key, to: &out)
            out += ":"
            appendString(versions[key]!.description, to: &out)
        }
        out += "}"
        return out
    }

    private static let decoder = JSONDecoder()

    package static func decodeFields(_ text: String) throws -> FieldMap {
        guard case .object(let object) = try JSONParser.parse(text.utf8) else {
            throw JSONParseError(offset: 0, reason: "fields must be an object")
        }
        var fields: FieldMap = [:]
        fields.reserveCapacity(object.count)
        for (name, value) in object {
            switch value {
            case .null: fields[name] = .null
            case .bool(let flag): fields[name] = .bool(flag)
            case .number(let number): fields[name] = .number(number)
            case .string(let text): fields[name] = .text(text)
            default: throw JSONParseError(offset: 0, reason: "field \(name) holds \(value.typeName)")
            }
        }
        return fields
    }

    package static func decodeBase(_ text: String) throws -> [String: HLC?] {
        guard case .object(let object) = try JSONParser.parse(text.utf8) else {
            throw JSONParseError(offset: 0, reason: "base must be an object")
        }
        var result: [String: HLC?] = [:]
        for (key, value) in object {
            switch value {
            case .null: result[key] = .some(nil)
            case .string(let text):
                guard let hlc = HLC(text) else { throw JSONParseError(offset: 0, reason: "bad clock \(text)") }
                result[key] = .some(hlc)
            default: throw JSONParseError(offset: 0, reason: "base of \(key) holds \(value.typeName)")
            }
        }
        return result
    }

    package static func decodeStringObject(_ text: String) throws -> [String: String] {
        try decoder.decode([String: String].self, from: Data(text.utf8))
    }

}
