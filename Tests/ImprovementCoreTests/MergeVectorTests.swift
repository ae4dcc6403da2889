import Foundation
import ImprovementCore
import Testing

/// Protocol/examples/merge-cases.json, worked out by hand from the merge rule: every replica that
/// applies a case's changes, in any order, must reach its expected records and conflicts.
@Suite("Merge vectors")
struct MergeVectorTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocol/examples/merge-cases.json")

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let changes: [Change]
        let expected: [String: JSONValue]
        var description: String { name }
    }

    static func cases() throws -> [Case] {
        guard case .array(let raw) = try JSONParser.parse(try Data(contentsOf: file)) else { return [] }
        return try raw.map { item in
            guard case .object(let object) = item, case .string(let name)? = object["name"],
                case .array(let changes)? = object["changes"], case .object(let expected)? = object["expected"]
            else { throw StoreError.corrupt("a merge case is malformed") }
            return Case(
                name: name,
                changes: try changes.enumerated().map { try ChangeWire.change(from: $1, path: "[\($0)]").change },
                expected: expected)
        }
    }

    static func fieldValue(_ value: JSONValue) -> FieldValue {
        switch value {
        case .bool(let flag): .bool(flag)
        case .number(let number): .number(number)
        case .string(let text): .text(text)
        default: .null
        }
    }

    @Test func everyCaseConvergesToItsExpectedStateInAnyOrder() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 8)
        var random = SeededRandom(seed: 2026)
        for item in cases {
            var orders = [item.changes, item.changes.reversed()]
            for _ in 0..<6 { orders.append(item.changes.shuffled(using: &random)) }
            for (orderIndex, order) in orders.enumerated() {
                let store = try ImprovementStore.inMemory(replica: "vector-check")
                // Half the orders arrive one change per batch, half in one batch.
                if orderIndex.isMultiple(of: 2) {
                    for change in order { try store.apply([change]) }
                } else {
                    try store.apply(order)
                }
                try check(item, store: store, order: orderIndex)
            }
        }
    }

    func check(_ item: Case, store: ImprovementStore, order: Int) throws {
        let context = "\(item.name), order \(order)"
        if case .object(let records)? = item.expected["records"] {
            for (key, fields) in records {
                let type = String(key.prefix { $0 != "/" })
                let entity = String(key.dropFirst(type.count + 1))
                let recordType = try #require(EntityType.named(type))
                let state = try #require(
                    try store.mergedState(of: recordType, id: entity), "\(context): \(key) missing")
                guard case .object(let expectedFields) = fields else { continue }
                for (field, value) in expectedFields {
                    #expect((state.fields[field] ?? .null) == Self.fieldValue(value), "\(context): \(key).\(field)")
                }
            }
        }
        if case .array(let deleted)? = item.expected["deleted"] {
            for case .string(let key) in deleted {
                let type = String(key.prefix { $0 != "/" })
                let recordType = try #require(EntityType.named(type))
                let state = try store.mergedState(of: recordType, id: String(key.dropFirst(type.count + 1)))
                #expect(state?.fields["_deleted"] == .bool(true), "\(context): \(key) should be deleted")
            }
        }
        guard case .array(let expectedConflicts)? = item.expected["conflicts"] else { return }
        let actual = try store.conflicts(includeResolved: true)
        #expect(actual.count == expectedConflicts.count, "\(context): conflicts \(actual.map(\.field))")
        for case .object(let expected) in expectedConflicts {
            let match = actual.first { conflict in
                expected["field"] == .string(conflict.field) && expected["entity"] == .string(conflict.entity)
                    && expected["kind"] == .string(conflict.kind.rawValue)
                    && Self.side(expected["winner"]) == conflict.winner
                    && Self.side(expected["loser"]) == conflict.loser
            }
            #expect(match != nil, "\(context): expected conflict \(expected) not found in \(actual)")
            if let match, case .string(let id)? = expected["id"] { #expect(match.id == id, "\(context): conflict id") }
        }
    }

    static func side(_ value: JSONValue?) -> Conflict.Side? {
        guard case .object(let side)? = value, case .string(let author)? = side["author"],
            case .string(let stamp)? = side["hlc"], let hlc = HLC(stamp)
        else { return nil }
        return Conflict.Side(value: fieldValue(side["value"] ?? .null), author: author, hlc: hlc)
    }
}
