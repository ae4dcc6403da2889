import Foundation
import ImprovementCore
import Testing

/// The direct change decoder (`JSONParser.decodePush` / `decodePull`) is a fast path: whatever it
/// accepts, the general parser with `ChangeWire` must accept with an equal result, and the
/// canonical text it keeps must be exactly what `CanonicalJSON` would write.
///
/// `IMPROVE_PROPERTY_CASES` sets the number of cases (default 1,000); `IMPROVE_PROPERTY_SEED`
/// replays a failure.
@Suite("Change decoder")
struct ChangeDecoderTests {
    static var cases: Int { ProcessInfo.processInfo.environment["IMPROVE_PROPERTY_CASES"].flatMap(Int.init) ?? 1000 }
    static var firstSeed: UInt64 {
        ProcessInfo.processInfo.environment["IMPROVE_PROPERTY_SEED"].flatMap(UInt64.init)
            ?? UInt64.random(in: 1...UInt64.max / 2)
    }

    @Test func randomValidChangesDecodeAsTheGeneralPathDoes() throws {
        let firstSeed = Self.firstSeed
        var canonicalKept = 0
        for index in 0..<Self.cases {
            let seed = firstSeed &+ UInt64(index)
            var random = SeededRandom(seed: seed)
            let changes = (0..<Int.random(in: 1...4, using: &random)).map { _ in WireGen.change(using: &random) }
            let plain = Bool.random(using: &random)
            let body = WireGen.pushBody(changes, plain: plain, using: &random)
            let reference = try #require(
                Reference.push(Array(body.utf8)), "seed \(seed): the general path refused \(body)")
            #expect(reference.changes == changes, "seed \(seed): generator and general path disagree on \(body)")
            let fast = JSONParser.decodePush(Array(body.utf8))
            #expect(fast?.replica == reference.replica && fast?.changes == reference.changes, "seed \(seed): \(body)")
            for change in fast?.changes ?? [] {
                try Self.checkCanonicalText(change, seed: seed)
                if change.canonical != nil { canonicalKept += 1 }
                // Canonical input must keep its text: that is the point of the fast path.
                if plain { #expect(change.canonical != nil, "seed \(seed): canonical text not kept for \(body)") }
            }
        }
        #expect(Self.cases < 50 || canonicalKept > 0)
    }

    @Test func randomValidPullAnswersDecodeAsTheGeneralPathDoes() throws {
        let firstSeed = Self.firstSeed
        for index in 0..<Self.cases {
            let seed = firstSeed &+ UInt64(index)
            var random = SeededRandom(seed: seed)
            let changes = (0..<Int.random(in: 0...4, using: &random)).map { _ in WireGen.change(using: &random) }
            let body = WireGen.pullAnswer(changes, plain: Bool.random(using: &random), using: &random)
            let reference = try #require(
                Reference.pull(Array(body.utf8)), "seed \(seed): the general path refused \(body)")
            #expect(
                reference.changes == changes, "seed \(seed): \(Self.difference(reference.changes, changes)) in \(body)")
            let fast = JSONParser.decodePull(Array(body.utf8), maxDepth: 16)
            #expect(
                fast?.changes == reference.changes && fast?.cursor == reference.cursor
                    && fast?.hasMore == reference.hasMore, "seed \(seed): \(body)")
            for change in fast?.changes ?? [] { try Self.checkCanonicalText(change, seed: seed) }
        }
    }

    /// Mutated bodies: the fast path either gives up or agrees with the general path; never
    /// accepts what the general path refuses, and never crashes.
    @Test func mutatedBodiesAreNeverAcceptedWhenTheGeneralPathRefusesThem() throws {
        let firstSeed = Self.firstSeed
        var refused = 0
        for index in 0..<(Self.cases * 4) {
            let seed = firstSeed &+ UInt64(index)
            var random = SeededRandom(seed: seed)
            let changes = (0..<Int.random(in: 1...3, using: &random)).map { _ in WireGen.change(using: &random) }
            let pull = Int.random(in: 0..<4, using: &random) == 0
            let text =
                pull
                ? WireGen.pullAnswer(changes, plain: Bool.random(using: &random), using: &random)
                : WireGen.pushBody(changes, plain: Bool.random(using: &random), using: &random)
            var bytes = Array(text.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) { WireGen.mutate(&bytes, using: &random) }
            if pull {
                let reference = Reference.pull(bytes)
                let fast = JSONParser.decodePull(bytes, maxDepth: 16)
                if reference == nil { refused += 1 }
                if let fast {
                    let shown = String(decoding: bytes, as: UTF8.self)
                    let reference = try #require(
                        reference, "seed \(seed): fast path accepted a refused answer: \(shown)")
                    #expect(
                        fast.changes == reference.changes && fast.cursor == reference.cursor
                            && fast.hasMore == reference.hasMore, "seed \(seed): \(shown)")
                    for change in fast.changes { try Self.checkCanonicalText(change, seed: seed) }
                }
            } else {
                let reference = Reference.push(bytes)
                let fast = JSONParser.decodePush(bytes)
                if reference == nil { refused += 1 }
                if let fast {
                    let shown = String(decoding: bytes, as: UTF8.self)
                    let reference = try #require(reference, "seed \(seed): fast path accepted a refused body: \(shown)")
                    #expect(
                        fast.replica == reference.replica && fast.changes == reference.changes, "seed \(seed): \(shown)"
                    )
                    for change in fast.changes { try Self.checkCanonicalText(change, seed: seed) }
                }
            }
        }
        #expect(Self.cases < 50 || refused > Self.cases, "too few malformed bodies generated: \(refused)")
    }

    @Test(arguments: [
        #"{"replica":"r","changes":[{"id":"c","replica":"r","type":"site","entity":"x","hlc":"0001780315100000-00000-r","author":"a","fields":{"n":1,"n":2}}]}"#,
        #"{"replica":"r","changes":[{"id":"c","id":"d","replica":"r","type":"site","entity":"x","hlc":"0001780315100000-00000-r","author":"a","fields":{"n":1}}]}"#,
        #"{"replica":"r","changes":[{"id":"c","replica":"r","type":"site","entity":"x","hlc":"0001780315100000-00000-r","author":"a","fields":{"n":[1]}}]}"#,
        #"{"replica":"r","changes":[{"id":"c","replica":"r","type":"site","entity":"x","hlc":"0001780315100000-00000-r","author":"a","fields":{"n":1},"seq":4}]}"#,
        #"{"replica":"r","changes":[{"id":"c","replica":"r","type":"site","entity":"x","hlc":"0001780315100000-00000-r","author":"a"}]}"#,
        #"{"replica":"r","changes":[{"id":"c","replica":"r","type":"site","entity":"x","hlc":"0001780315100000-00000-r","author":"a","fields":{"n":1}}]} x"#,
        #"{"replica":"r","changes":[{"id":"c","replica":"r","type":"site","entity":"x","hlc":"0001780315100000-00000-r","author":"a","fields":{"n":1},"base":{"n":"yesterday"}}]}"#,
    ])
    func malformedBodiesAreLeftToTheGeneralPath(body: String) {
        #expect(JSONParser.decodePush(Array(body.utf8)) == nil)
        #expect(Reference.push(Array(body.utf8)) == nil)
    }

    @Test func nonCanonicalFieldsAreDecodedButNotKeptAsText() throws {
        let body =
            #"{"changes":[{"id":"c","replica":"r","type":"observation","entity":"x","hlc":"0001780315100000-00000-r","author":"a","fields":{"value":4.0,"note":"\u0041"},"base":{}}],"replica":"r"}"#
        let decoded = try #require(JSONParser.decodePush(Array(body.utf8)))
        let change = try #require(decoded.changes.first)
        #expect(change.fields == ["value": .number(4), "note": .text("A")])
        #expect(change.canonical == nil)
        #expect(change.fieldsJSON == #"{"note":"A","value":4}"#)
    }

    @Test func equalityIgnoresTheKeptTextAndEditingFieldsDropsIt() throws {
        var random = SeededRandom(seed: 7)
        let change = WireGen.change(using: &random)
        let body = WireGen.pushBody([change], plain: true, using: &random)
        var decoded = try #require(JSONParser.decodePush(Array(body.utf8))?.changes.first)
        #expect(decoded.canonical != nil)
        #expect(decoded == change && decoded.hashValue == change.hashValue)
        decoded.fields["extra"] = .bool(true)
        #expect(decoded.canonical == nil)
        #expect(decoded.fieldsJSON.contains("\"extra\":true"))
    }

    /// Which property of which change differs, for failure messages.
    static func difference(_ left: [Change], _ right: [Change]) -> String {
        guard left.count == right.count else { return "\(left.count) changes, not \(right.count)" }
        for (a, b) in zip(left, right) where a != b {
            if a.fields != b.fields {
                let keys = Set(a.fields.keys).union(b.fields.keys).filter { a.fields[$0] != b.fields[$0] }
                return
                    "fields \(keys.map { "\($0.debugDescription): \(String(describing: a.fields[$0])) / \(String(describing: b.fields[$0]))" })"
            }
            if a.base != b.base { return "base \(a.base) / \(b.base)" }
            return "\(a) / \(b)"
        }
        return "none"
    }

    static func checkCanonicalText(_ change: Change, seed: UInt64) throws {
        guard let text = change.canonical else { return }
        var plain = change
        plain.canonical = nil
        #expect(text.fields == plain.fieldsJSON, "seed \(seed): kept fields text is not canonical")
        #expect(text.base == plain.baseJSON, "seed \(seed): kept base text is not canonical")
    }
}

/// The general path, as the server and client used it before the fast decoder.
enum Reference {
    static func push(_ text: some Collection<UInt8>) -> (replica: String, changes: [Change])? {
        guard case .object(let object)? = try? JSONParser.parse(text) else { return nil }
        guard object.keys.allSatisfy({ $0 == "replica" || $0 == "changes" }),
            case .string(let replica)? = object["replica"], case .array(let raw)? = object["changes"]
        else { return nil }
        var changes: [Change] = []
        for (index, value) in raw.enumerated() {
            guard let change = try? ChangeWire.change(from: value, path: "changes[\(index)]").change else { return nil }
            changes.append(change)
        }
        return (replica, changes)
    }

    static func pull(_ text: some Collection<UInt8>) -> (changes: [Change], cursor: Double, hasMore: Bool)? {
        guard case .object(let object)? = try? JSONParser.parse(text, maxDepth: 16),
            case .array(let raw)? = object["changes"], case .number(let cursor)? = object["cursor"],
            case .bool(let hasMore)? = object["hasMore"]
        else { return nil }
        var changes: [Change] = []
        for (index, value) in raw.enumerated() {
            guard let change = try? ChangeWire.change(from: value, path: "changes[\(index)]", allowSeq: true).change
            else { return nil }
            changes.append(change)
        }
        return (changes, cursor, hasMore)
    }
}

/// Random changes and the many ways a JSON text can spell them.
enum WireGen {
    static let texts = [
        "", "a", "North ward", "quote \" inside", "back\\slash", "line\nbreak", "tab\t", "bell\u{7}", "é", "e\u{301}",
        "日本語", "emoji 😀", "slash /", "del \u{7F}", "x", "2026-05-25",
    ]
    static let fieldNames = [
        "value", "note", "numerator", "name", "site", "_deleted", "é", "e\u{301}", "Z", "a b", "q\"", "😀", "zz", "v",
    ]
    static let numbers: [Double] = [
        0, -0.0, 1, -1, 4, 17, 0.25, -3.5, 1e15, 999_999_999_999_999, 1e20, 123_456_789_012_345_680, 1.5e-7,
        9_007_199_254_740_992, 0.1, 2.5e300,
    ]

    static func change<R: RandomNumberGenerator>(using random: inout R) -> Change {
        let replica = ["r1", "ward-7", "device-12"].randomElement(using: &random)!
        func hlc() -> HLC {
            HLC(
                millis: Int64.random(in: 0...1_800_000_000_000, using: &random),
                counter: Int.random(in: 0...99, using: &random),
                replica: replica)
        }
        var fields: FieldMap = [:]
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            let value: FieldValue =
                switch Int.random(in: 0..<4, using: &random) {
                case 0: .null
                case 1: .bool(Bool.random(using: &random))
                case 2: .number(numbers.randomElement(using: &random)!)
                default: .text(texts.randomElement(using: &random)!)
                }
            fields[fieldNames.randomElement(using: &random)!] = value
        }
        var base: [String: HLC?] = [:]
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            base[fieldNames.randomElement(using: &random)!] = Bool.random(using: &random) ? .some(hlc()) : .some(nil)
        }
        return Change(
            id: ["c-1", UUID().uuidString.lowercased(), "id \"quoted\"", "é"].randomElement(using: &random)!,
            replica: replica, type: ["observation", "site", "unit", "future-kind"].randomElement(using: &random)!,
            entity: texts.randomElement(using: &random)!, site: Bool.random(using: &random) ? nil : "north",
            hlc: hlc(), author: texts.randomElement(using: &random)!, fields: fields, base: base)
    }

    static func pushBody<R: RandomNumberGenerator>(_ changes: [Change], plain: Bool, using random: inout R) -> String {
        let list = changes.map { render($0, seq: nil, plain: plain, using: &random) }
        var members = [
            "\"changes\":[" + list.joined(separator: space(plain, &random) + ",") + "]", "\"replica\":\"r1\"",
        ]
        if !plain, Bool.random(using: &random) { members.reverse() }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func pullAnswer<R: RandomNumberGenerator>(_ changes: [Change], plain: Bool, using random: inout R) -> String
    {
        let list = changes.enumerated().map { render($1, seq: Int64($0 + 1), plain: plain, using: &random) }
        var members = [
            "\"changes\":[" + list.joined(separator: ",") + "]",
            "\"conflicts\":[{\"id\":\"k\",\"winner\":{\"value\":[1,{}]}}]",
            "\"cursor\":\(changes.count)", "\"hasMore\":\(Bool.random(using: &random))",
            "\"serverTime\":\"2026-06-01T12:00:00.000Z\"",
            "\"later\":null",
        ]
        if !plain { members.shuffle(using: &random) }
        return "{" + members.joined(separator: space(plain, &random) + "," + space(plain, &random)) + "}"
    }

    /// Canonical text when `plain`, else shuffled keys, whitespace, escapes and other spellings of numbers.
    static func render<R: RandomNumberGenerator>(
        _ change: Change, seq: Int64?, plain: Bool, using random: inout R
    )
        -> String
    {
        if plain {
            var out = ""
            ChangeWire.append(change, seq: seq, to: &out)
            return out
        }
        var members: [(String, String)] = [
            ("id", string(change.id, plain: false, &random)),
            ("replica", string(change.replica, plain: false, &random)),
            ("type", string(change.type, plain: false, &random)),
            ("entity", string(change.entity, plain: false, &random)),
            ("hlc", string(change.hlc.description, plain: false, &random)),
            ("author", string(change.author, plain: false, &random)),
        ]
        if let site = change.site {
            members.append(("site", string(site, plain: false, &random)))
        } else if Bool.random(using: &random) {
            members.append(("site", "null"))
        }
        var fields = change.fields.map { ($0.key, value($0.value, &random)) }
        fields.shuffle(using: &random)
        members.append(("fields", object(fields, &random)))
        var base = change.base.map {
            ($0.key, $0.value.map { string($0.description, plain: false, &random) } ?? "null")
        }
        base.shuffle(using: &random)
        if !base.isEmpty || Bool.random(using: &random) {
            members.append(("base", base.isEmpty && Bool.random(using: &random) ? "null" : object(base, &random)))
        }
        if let seq { members.append(("seq", Bool.random(using: &random) ? "\(seq)" : "\(seq).0")) }
        members.shuffle(using: &random)
        return object(members, &random)
    }

    static func object<R: RandomNumberGenerator>(_ members: [(String, String)], _ random: inout R) -> String {
        let inner = members.map { key, value in
            space(false, &random) + string(key, plain: false, &random) + space(false, &random) + ":"
                + space(false, &random) + value + space(false, &random)
        }
        return "{" + inner.joined(separator: ",") + space(false, &random) + "}"
    }

    static func value<R: RandomNumberGenerator>(_ value: FieldValue, _ random: inout R) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .text(let text): return string(text, plain: false, &random)
        case .number(let number):
            let canonical = FieldValue.number(number).json
            if number == 0, number.sign == .minus { return ["-0", "-0.0", "0"].randomElement(using: &random)! }
            if number == number.rounded(), abs(number) < 1e15, Bool.random(using: &random) {
                return [canonical + ".0", canonical + "e0", canonical + "E+0"].randomElement(using: &random)!
            }
            return canonical
        }
    }

    /// A JSON string, sometimes with escapes a canonical writer would not use.
    static func string<R: RandomNumberGenerator>(_ text: String, plain: Bool, _ random: inout R) -> String {
        var out = ""
        CanonicalJSON.appendString(text, to: &out)
        guard !plain, Int.random(in: 0..<4, using: &random) == 0 else { return out }
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch Int.random(in: 0..<3, using: &random) {
            case 0 where scalar.value < 0x10000:
                escaped += "\\u" + String(format: "%04X", scalar.value)
            case 1 where scalar == "/":
                escaped += "\\/"
            default:
                var one = ""
                CanonicalJSON.appendString(String(scalar), to: &one)
                // By scalars: as characters, a combining mark would merge with the quote.
                escaped.unicodeScalars.append(contentsOf: one.unicodeScalars.dropFirst().dropLast())
            }
        }
        return escaped + "\""
    }

    static func space<R: RandomNumberGenerator>(_ plain: Bool, _ random: inout R) -> String {
        plain ? "" : ["", "", "", " ", "\n", "\t ", "\r\n"].randomElement(using: &random)!
    }

    /// One random edit: a byte dropped, doubled, replaced or inserted, or a slice repeated.
    static func mutate<R: RandomNumberGenerator>(_ bytes: inout [UInt8], using random: inout R) {
        guard !bytes.isEmpty else { return }
        let position = Int.random(in: 0..<bytes.count, using: &random)
        let alphabet = Array("{}[],:\"\\ 0-9.eEtfnulr\u{1}aé".utf8) + [0xFF, 0xC3]
        switch Int.random(in: 0..<5, using: &random) {
        case 0: bytes.remove(at: position)
        case 1: bytes.insert(bytes[position], at: position)
        case 2: bytes[position] = alphabet.randomElement(using: &random)!
        case 3: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
        default:
            let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
            bytes.insert(contentsOf: bytes[position..<end], at: end)
        }
    }
}
