import Foundation
import ImprovementCore
import Testing

@testable import ImprovementServer

/// The PostgreSQL storage merges with its own set-based code (`PushMerge`); the embedded store
/// is the reference. Random histories of concurrent edits, stale bases, deletes and restores,
/// pushed in random batch splits, must leave both with the same log and the same conflicts.
@Suite("Storage merge agreement")
struct StorageMergeAgreementTests {
    static let admin = Account(name: "admin", role: .admin, sites: [])

    /// SplitMix64: reproducible from the seed printed with any failure.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One random history: replicas that each know some versions of a few records write to them.
    static func history(case index: Int, random: inout Random) -> [Change] {
        let replicas = ["ra", "rb", "rc"]
        let entities = (0..<3).map { "falls-rate/ward-\(index)/2026-05-\(11 + 7 * $0)" }
        var clock: Int64 = ServerHarness.now - 3_600_000
        var changes: [Change] = []
        // What each replica has seen of each record: field -> version.
        var views: [String: [String: [String: HLC]]] = [:]
        func stamp(_ replica: String) -> HLC {
            clock += Int64.random(in: 1...5_000, using: &random)
            return HLC(millis: clock, counter: 0, replica: replica)
        }
        func make(_ replica: String, _ entity: String, _ fields: FieldMap, _ base: [String: HLC?]) {
            let change = Change(
                id: "c\(index)-\(changes.count)-\(replica)", replica: replica, type: "observation", entity: entity,
                site: "north", hlc: stamp(replica), author: replica, fields: fields, base: base)
            changes.append(change)
            for field in fields.keys { views[replica, default: [:]][entity, default: [:]][field] = change.hlc }
        }
        for entity in entities {
            let creator = replicas.randomElement(using: &random)!
            make(
                creator, entity,
                [
                    "measure": .text("falls-rate"), "unit": .text("ward-\(index)"), "site": .text("north"),
                    "period": .text(String(entity.suffix(10))), "numerator": .number(1), "denominator": .number(100),
                    "note": .null,
                ], [:])
            // Everyone receives the creation.
            for replica in replicas { views[replica, default: [:]][entity] = views[creator]![entity] }
        }
        for _ in 0..<Int.random(in: 6...18, using: &random) {
            let replica = replicas.randomElement(using: &random)!
            let entity = entities.randomElement(using: &random)!
            let seen = views[replica]?[entity] ?? [:]
            switch Int.random(in: 0..<10, using: &random) {
            case 0:
                // A deletion saw every field this replica knows.
                make(replica, entity, ["_deleted": .bool(true)], seen.mapValues { .some($0) })
            case 1:
                make(replica, entity, ["_deleted": .bool(false)], ["_deleted": seen["_deleted"]])
            case 2:
                // Another replica's view arrives (a sync), so later writes name newer bases.
                let other = replicas.randomElement(using: &random)!
                for (field, version) in views[other]?[entity] ?? [:] where (seen[field] ?? version) <= version {
                    views[replica, default: [:]][entity, default: [:]][field] = version
                }
            default:
                let field = ["numerator", "note", "denominator"].randomElement(using: &random)!
                let value: FieldValue =
                    field == "note"
                    ? .text(["a", "b"].randomElement(using: &random)!)
                    : .number(Double(Int.random(in: 1...2, using: &random)))
                make(replica, entity, [field: value], seen[field].map { [field: .some($0)] } ?? [:])
            }
        }
        return changes
    }

    /// Pushes the changes in random batch splits (keeping their order, as devices send them).
    static func push(_ changes: [Change], to storage: any SyncStorage, random: inout Random) async throws {
        var start = 0
        while start < changes.count {
            let end = min(changes.count, start + Int.random(in: 1...6, using: &random))
            // Resends now and then, as after a lost acknowledgement.
            let resend = start > 0 && Int.random(in: 0..<4, using: &random) == 0 ? [changes[start - 1]] : []
            _ = try await storage.push(resend + Array(changes[start..<end]), by: admin)
            start = end
        }
    }

    @Test func postgresAndTheEmbeddedStoreAgreeOnRandomHistories() async throws {
        let seed =
            ProcessInfo.processInfo.environment["IMPROVE_PROPERTY_SEED"].flatMap(UInt64.init)
            ?? UInt64.random(in: 1...UInt64.max)
        let cases = ProcessInfo.processInfo.environment["IMPROVE_PROPERTY_CASES"].flatMap(Int.init) ?? 150
        var random = Random(state: seed)
        let reference = try await StorageBackend.sqlite.open()
        let postgres = try await StorageBackend.postgres.open()
        do {
            for index in 0..<cases {
                let changes = Self.history(case: index, random: &random)
                try await Self.push(changes, to: reference.storage, random: &random)
                try await Self.push(changes, to: postgres.storage, random: &random)
            }
            var referencePages: [PullPage] = []
            var postgresPages: [PullPage] = []
            for (storage, pages) in [(reference.storage, 0), (postgres.storage, 1)] {
                var cursor: Int64 = 0
                while true {
                    let page = try await storage.pull(after: cursor, limit: 50, for: Self.admin)
                    if pages == 0 { referencePages.append(page) } else { postgresPages.append(page) }
                    cursor = page.cursor
                    if !page.hasMore { break }
                }
            }
            let context = "seed \(seed) (replay with IMPROVE_PROPERTY_SEED=\(seed))"
            #expect(
                referencePages.flatMap(\.changes).map(\.id) == postgresPages.flatMap(\.changes).map(\.id),
                "same log order, \(context)")
            #expect(referencePages.count == postgresPages.count, "\(context)")
            for (page, (expected, actual)) in zip(referencePages, postgresPages).enumerated() {
                #expect(expected.conflicts == actual.conflicts, "page \(page): same conflicts, \(context)")
            }
            #expect(!referencePages.flatMap(\.conflicts).isEmpty, "the histories produce conflicts at all")
        } catch {
            await reference.close()
            await postgres.close()
            throw error
        }
        await reference.close()
        await postgres.close()
    }
}
