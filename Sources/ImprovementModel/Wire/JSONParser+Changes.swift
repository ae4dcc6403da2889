/// Decoding changes straight from the bytes of a push body or a pull answer, without building a
/// `JSONValue` tree, and keeping each change's `fields` and `base` text when it is already
/// canonical, so the log can store it without encoding it again.
///
/// This is a fast path only: at anything unusual (a syntax error, an unknown, missing or repeated
/// key, a value of the wrong type) it gives up and returns nil, and the caller runs the general
/// parser and `ChangeWire`, which say precisely what is wrong. Whatever it accepts, the general
/// path accepts with an equal result (ChangeDecoderTests check this on random input).
extension JSONParser {
    /// Reads `{"replica": ..., "changes": [...]}`; nil when the general path must judge the body.
    package static func decodePush(
        _ text: some Collection<UInt8>, maxDepth: Int = 32
    )
        -> (replica: String, changes: [Change])?
    {
        withBytes(text) { bytes in
            var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
            return try? parser.pushBody()
        }
    }

    /// Reads the changes, cursor, hasMore and log (nil from servers before it) of a pull answer,
    /// skipping (but checking) its other keys; nil when the general path must judge it.
    package static func decodePull(
        _ text: some Collection<UInt8>, maxDepth: Int
    )
        -> (changes: [Change], cursor: Double, hasMore: Bool, log: String?)?
    {
        withBytes(text) { bytes in
            var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
            return try? parser.pullAnswer()
        }
    }

    private static func withBytes<T>(_ text: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        if let result = text.withContiguousStorageIfAvailable(body) { return result }
        return Array(text).withUnsafeBufferPointer(body)
    }

    /// Any reason to leave the fast path; the general path finds the real one.
    private func giveUp() -> JSONParseError { error("not on the fast path") }

    private mutating func pushBody() throws(JSONParseError) -> (replica: String, changes: [Change]) {
        var replica: String?
        var changes: [Change]?
        try object(depth: 0) { parser, key throws(JSONParseError) in
            switch key {
            case "replica" where replica == nil:
                replica = try parser.stringValue()
            case "changes" where changes == nil:
                changes = try parser.changeArray(allowSeq: false)
            default:
                throw parser.giveUp()
            }
        }
        try end()
        guard let replica, let changes else { throw giveUp() }
        return (replica, changes)
    }

    private mutating func pullAnswer() throws(JSONParseError)
        -> (changes: [Change], cursor: Double, hasMore: Bool, log: String?)
    {
        var changes: [Change]?
        var cursor: Double?
        var hasMore: Bool?
        var log: String?
        var seen: [String] = []
        try object(depth: 0) { parser, key throws(JSONParseError) in
            // Duplicate keys make the answer malformed, as the general parser says.
            guard !seen.contains(key) else { throw parser.giveUp() }
            seen.append(key)
            switch key {
            case "changes":
                changes = try parser.changeArray(allowSeq: true)
            case "cursor":
                guard case .number(let number) = try parser.parseValue(depth: 1) else { throw parser.giveUp() }
                cursor = number
            case "hasMore":
                guard case .bool(let flag) = try parser.parseValue(depth: 1) else { throw parser.giveUp() }
                hasMore = flag
            case "log":
                log = try parser.stringValue()
            default:
                _ = try parser.parseValue(depth: 1)
            }
        }
        try end()
        guard let changes, let cursor, let hasMore else { throw giveUp() }
        return (changes, cursor, hasMore, log)
    }

    private mutating func end() throws(JSONParseError) {
        skipWhitespace()
        guard index == bytes.count else { throw giveUp() }
    }

    /// Walks an object's keys, handing each (with the parser at its value) to `body`.
    private mutating func object(
        depth: Int, _ body: (inout JSONParser, String) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        guard depth <= maxDepth else { throw giveUp() }
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try expect(UInt8(ascii: "\""), advance: false)
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try body(&self, key)
            guard try nextMember(closing: UInt8(ascii: "}")) else { return }
        }
    }

    /// After a member: true at a comma (another follows), false at the closing bracket.
    private mutating func nextMember(closing: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw giveUp() }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return true
        }
        try expect(closing)
        return false
    }

    private mutating func expect(_ byte: UInt8, advance: Bool = true) throws(JSONParseError) {
        guard index < bytes.count, bytes[index] == byte else { throw giveUp() }
        if advance { index += 1 }
    }

    private mutating func stringValue() throws(JSONParseError) -> String {
        try expect(UInt8(ascii: "\""), advance: false)
        return try parseString()
    }

    private mutating func changeArray(allowSeq: Bool) throws(JSONParseError) -> [Change] {
        try expect(UInt8(ascii: "["))
        var changes: [Change] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return changes
        }
        // A rough count from the body size saves regrowing the array many times.
        changes.reserveCapacity(min(10_000, (bytes.count - index) / 300 + 1))
        while true {
            skipWhitespace()
            changes.append(try change(allowSeq: allowSeq))
            guard try nextMember(closing: UInt8(ascii: "]")) else { return changes }
        }
    }

    /// The keys of a change, as bits, to find missing and repeated ones without building strings.
    private enum Key: UInt16 {
        case id = 1
        case replica = 2
        case type = 4
        case entity = 8
        case site = 16
        case hlc = 32
        case author = 64
        case fields = 128
        case base = 256
        case seq = 512

        static let required: UInt16 = 1 | 2 | 4 | 8 | 32 | 64 | 128
    }

    /// Reads a key of a change, without allocating it unless it holds escapes.
    private mutating func changeKey() throws(JSONParseError) -> Key {
        try expect(UInt8(ascii: "\""), advance: false)
        let start = index + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else {
            var decoded = try parseString()
            guard let key = decoded.withUTF8({ try? Self.changeKey($0) }) else { throw giveUp() }
            return key
        }
        index = end + 1
        return try Self.changeKey(UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }

    private static func changeKey(_ key: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> Key {
        func matches(_ name: StaticString) -> Bool {
            name.withUTF8Buffer { $0.elementsEqual(key) }
        }
        switch key.count {
        case 2 where matches("id"): return .id
        case 3 where matches("hlc"): return .hlc
        case 3 where matches("seq"): return .seq
        case 4 where matches("type"): return .type
        case 4 where matches("site"): return .site
        case 4 where matches("base"): return .base
        case 6 where matches("entity"): return .entity
        case 6 where matches("author"): return .author
        case 6 where matches("fields"): return .fields
        case 7 where matches("replica"): return .replica
        default: throw JSONParseError(offset: 0, reason: "not a key of a change")
        }
    }

    private mutating func change(allowSeq: Bool) throws(JSONParseError) -> Change {
        try expect(UInt8(ascii: "{"))
        var seen: UInt16 = 0
        var id = ""
        var replica = ""
        var type = ""
        var entity = ""
        var site: String?
        var hlc: HLC?
        var author = ""
        var fields: FieldMap = [:]
        var fieldsText: String?
        var base: [String: HLC?] = [:]
        var baseText: String? = "{}"
        skipWhitespace()
        guard index < bytes.count, bytes[index] != UInt8(ascii: "}") else { throw giveUp() }
        while true {
            skipWhitespace()
            let key = try changeKey()
            guard seen & key.rawValue == 0 else { throw giveUp() }
            seen |= key.rawValue
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            switch key {
            case .id: id = try stringValue()
            case .replica: replica = try stringValue()
            case .type: type = try stringValue()
            case .entity: entity = try stringValue()
            case .author: author = try stringValue()
            case .hlc:
                guard let stamp = HLC(try stringValue()) else { throw giveUp() }
                hlc = stamp
            case .site:
                if index < bytes.count, bytes[index] == UInt8(ascii: "n") {
                    try expectLiteral("null")
                } else {
                    site = try stringValue()
                }
            case .fields: (fields, fieldsText) = try fieldMap()
            case .base:
                if index < bytes.count, bytes[index] == UInt8(ascii: "n") {
                    try expectLiteral("null")
                } else {
                    (base, baseText) = try baseMap()
                }
            case .seq:
                guard allowSeq else { throw giveUp() }
                guard index < bytes.count, bytes[index] != UInt8(ascii: "\"") else { throw giveUp() }
                let number = try parseNumber()
                guard number >= 0, number == number.rounded(), number < 9e15 else { throw giveUp() }
            }
            guard try nextMember(closing: UInt8(ascii: "}")) else { break }
        }
        guard seen & Key.required == Key.required, let hlc else { throw giveUp() }
        var change = Change(
            id: id, replica: replica, type: type, entity: entity, site: site, hlc: hlc, author: author, fields: fields,
            base: base)
        if let fieldsText, let baseText { change.canonical = Change.CanonicalText(fields: fieldsText, base: baseText) }
        return change
    }

    /// Skips whitespace; true when there was none (canonical text has none).
    private mutating func skipNoWhitespace() -> Bool {
        let start = index
        skipWhitespace()
        return index == start
    }

    /// Reads one key of a `fields` or `base` object; `canonical` becomes false unless the key is
    /// written plainly and sorts after `previous`.
    private mutating func memberKey(after previous: String?, canonical: inout Bool) throws(JSONParseError) -> String {
        if !skipNoWhitespace() { canonical = false }
        try expect(UInt8(ascii: "\""), advance: false)
        sawOddEscape = false
        let key = try parseString()
        if sawOddEscape { canonical = false }
        // Canonical order is `String`'s, as `CanonicalJSON.object` sorts the keys.
        if canonical, let previous, !(previous < key) { canonical = false }
        if !skipNoWhitespace() { canonical = false }
        try expect(UInt8(ascii: ":"))
        if !skipNoWhitespace() { canonical = false }
        return key
    }

    /// The text from `start` to the current index, when it is valid UTF-8 (as canonical text must be).
    private func text(from start: Int) -> String? {
        String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private mutating func fieldMap() throws(JSONParseError) -> (FieldMap, String?) {
        let start = index
        try expect(UInt8(ascii: "{"))
        var fields: FieldMap = [:]
        fields.reserveCapacity(12)
        var canonical = true
        var previous: String?
        if !skipNoWhitespace() { canonical = false }
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return (fields, canonical ? "{}" : nil)
        }
        while true {
            let name = try memberKey(after: previous, canonical: &canonical)
            previous = name
            guard index < bytes.count else { throw giveUp() }
            let value: FieldValue
            switch bytes[index] {
            case UInt8(ascii: "\""):
                sawOddEscape = false
                value = .text(try parseString())
                if sawOddEscape { canonical = false }
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let numberStart = index
                value = .number(try parseNumber())
                if canonical, !isCanonicalInteger(from: numberStart), !isCanonical(value, from: numberStart) {
                    canonical = false
                }
            default:
                throw giveUp()
            }
            guard fields.updateValue(value, forKey: name) == nil else { throw giveUp() }
            if !skipNoWhitespace() { canonical = false }
            guard index < bytes.count else { throw giveUp() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return (fields, canonical ? text(from: start) : nil)
        }
    }

    /// True when the number just read is written as `CanonicalJSON` writes it: an integer of at
    /// most 15 digits, no fraction or exponent, and not `-0`. Others are re-encoded later.
    private func isCanonicalInteger(from start: Int) -> Bool {
        var position = start
        if bytes[position] == UInt8(ascii: "-") {
            position += 1
            if index - position == 1, bytes[position] == UInt8(ascii: "0") { return false }
        }
        guard index - position <= 15 else { return false }
        while position < index {
            guard bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") else { return false }
            position += 1
        }
        return true
    }

    /// True when the number just read is spelt as `CanonicalJSON` spells its value (fractions, large numbers).
    private func isCanonical(_ value: FieldValue, from start: Int) -> Bool {
        value.json.utf8.elementsEqual(UnsafeBufferPointer(rebasing: bytes[start..<index]))
    }

    private mutating func baseMap() throws(JSONParseError) -> ([String: HLC?], String?) {
        let start = index
        try expect(UInt8(ascii: "{"))
        var base: [String: HLC?] = [:]
        var canonical = true
        var previous: String?
        if !skipNoWhitespace() { canonical = false }
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return (base, canonical ? "{}" : nil)
        }
        while true {
            let name = try memberKey(after: previous, canonical: &canonical)
            previous = name
            guard index < bytes.count else { throw giveUp() }
            let version: HLC?
            if bytes[index] == UInt8(ascii: "n") {
                try expectLiteral("null")
                version = nil
            } else {
                sawOddEscape = false
                // A valid stamp's description is its text, so a plain one is canonical as it stands.
                guard let stamp = HLC(try stringValue()) else { throw giveUp() }
                if sawOddEscape { canonical = false }
                version = stamp
            }
            guard base.updateValue(version, forKey: name) == nil else { throw giveUp() }
            if !skipNoWhitespace() { canonical = false }
            guard index < bytes.count else { throw giveUp() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return (base, canonical ? text(from: start) : nil)
        }
    }
}
