import Foundation
import ImprovementCore
import Testing

@testable import ImprovementServer

/// The storage protocol's contract, run against every engine: what the server's endpoints rely
/// on, whichever database is behind them.
@Suite("Storage conformance")
struct StorageConformanceTests {
    static let admin = Account(name: "admin", role: .admin, sites: [])
    static let coordinator = Account(name: "coordinator", role: .coordinator, sites: ["north"])
    static let memberNorth = Account(name: "member-north", role: .member, sites: ["north"])
    static let memberSouth = Account(name: "member-south", role: .member, sites: ["south"])
    static let viewer = Account(name: "viewer", role: .viewer, sites: ["north"])

    func withStorage(_ backend: StorageBackend, _ body: (any SyncStorage) async throws -> Void) async throws {
        let opened = try await backend.open()
        do {
            try await body(opened.storage)
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
    }

    /// Every change the account can see, paged.
    func pullAll(_ storage: any SyncStorage, as account: Account, limit: Int = 1000) async throws -> [PullPage] {
        var pages: [PullPage] = []
        var cursor: Int64 = 0
        while true {
            let page = try await storage.pull(after: cursor, limit: limit, for: account)
            pages.append(page)
            cursor = page.cursor
            if !page.hasMore { return pages }
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func theChangeLogKeepsItsIdUntilMarkedRestored(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage in
            let first = try await storage.logID()
            #expect(!first.isEmpty)
            #expect(try await storage.logID() == first)
            let renewed = try await storage.renewLogID()
            #expect(renewed != first)
            #expect(try await storage.logID() == renewed)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func aRevokedNameCanBeGivenToANewAccount(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage in
            try await storage.addAccount(Self.viewer, tokenHash: "hash-old")
            #expect(try await storage.revokeAccount(name: "viewer"))
            let renamed = Account(name: "viewer", role: .member, sites: ["north"])
            try await storage.addAccount(renamed, tokenHash: "hash-new")
            // Two accounts that are not revoked never share a name.
            await #expect(throws: SyncStorageError.accountExists("viewer")) {
                try await storage.addAccount(renamed, tokenHash: "hash-third")
            }
            #expect(try await storage.account(tokenHash: "hash-old")?.revoked == true, "the old one stays revoked")
            #expect(try await storage.account(tokenHash: "hash-new") == renamed)
            let listed = try await storage.accounts()
            #expect(listed.map(\.revoked) == [true, false], "the revoked account is kept, listed first")
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func accountsAreAddedFoundRevokedAndListed(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage in
            try await storage.addAccount(Self.memberNorth, tokenHash: "hash-north")
            try await storage.addAccount(Self.admin, tokenHash: "hash-admin")
            await #expect(throws: SyncStorageError.accountExists("admin")) {
                try await storage.addAccount(Self.admin, tokenHash: "hash-other")
            }
            #expect(try await storage.account(tokenHash: "hash-north") == Self.memberNorth)
            #expect(try await storage.account(tokenHash: "nobody") == nil)
            #expect(try await storage.revokeAccount(name: "member-north"))
            #expect(try await !storage.revokeAccount(name: "nobody"))
            #expect(try await storage.account(tokenHash: "hash-north")?.revoked == true)
            let listed = try await storage.accounts()
            #expect(listed.map(\.name) == ["admin", "member-north"])
            #expect(listed.map(\.revoked) == [false, true])
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func pushesAreSequencedAndResendsDuplicateNothing(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage in
            #expect(try await storage.lastSequence() == 0)
            let batch = (0..<3).map {
                Changes.observation(site: "north", unit: "ward-7", week: "2026-05-\(11 + 7 * $0)")
            }
            let log = try await storage.logID()
            let first = try await storage.push(batch, by: Self.memberNorth)
            #expect(first == PushOutcome(accepted: 3, duplicates: 0, conflicts: 0, cursor: 3, log: log))
            let resend = try await storage.push(batch + [batch[0]], by: Self.memberNorth)
            #expect(resend == PushOutcome(accepted: 0, duplicates: 4, conflicts: 0, cursor: 3, log: log))
            let twiceInOneBatch = Changes.observation(site: "north", unit: "ward-8")
            let mixed = try await storage.push([batch[1], twiceInOneBatch, twiceInOneBatch], by: Self.memberNorth)
            #expect(mixed == PushOutcome(accepted: 1, duplicates: 2, conflicts: 0, cursor: 4, log: log))
            #expect(try await storage.lastSequence() == 4)
            let page = try await storage.pull(after: 0, limit: 100, for: Self.admin)
            #expect(page.changes.map(\.id) == batch.map(\.id) + [twiceInOneBatch.id])
            #expect(page.changes.map(\.seq) == [1, 2, 3, 4])
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func aRefusedChangeRefusesTheWholeBatch(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage in
            let good = Changes.observation(site: "north", unit: "ward-7")
            let foreign = Changes.observation(site: "south", unit: "ward-2")
            await #expect(throws: SyncStorageError.self) {
                try await storage.push([good, foreign], by: Self.memberNorth)
            }
            do {
                _ = try await storage.push([good, foreign], by: Self.memberNorth)
            } catch SyncStorageError.forbidden(let changeID, let message) {
                #expect(changeID == foreign.id)
                #expect(message.contains("does not belong to site south"))
            }
            #expect(try await storage.lastSequence() == 0)
            #expect(try await storage.pull(after: 0, limit: 10, for: Self.admin).changes.isEmpty)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func rolesDecideWhoChangesWhat(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage in
            let unit = Changes.make(
                type: "unit", entity: "ward-7", site: "north",
                fields: ["site": .text("north"), "name": .text("Ward 7"), "kind": .text("ward")])
            for account in [Self.viewer, Self.memberNorth] {
                await #expect(throws: SyncStorageError.self, "\(account.name) must not create units") {
                    try await storage.push([unit], by: account)
                }
            }
            let unitPush = try await storage.push([unit], by: Self.coordinator)
            #expect(unitPush.accepted == 1)
            // A record keeps its site: a change that claims another one is refused.
            let moved = Changes.make(
                type: "unit", entity: "ward-7", site: "south", fields: ["site": .text("south")],
                base: ["site": unit.hlc])
            await #expect(throws: SyncStorageError.self) { try await storage.push([moved], by: Self.admin) }
            let programme = Changes.make(
                type: "programme", entity: "falls", site: nil, fields: ["name": .text("Falls")])
            let programmePush = try await storage.push([programme], by: Self.coordinator)
            #expect(programmePush.accepted == 1)
            let site = Changes.make(type: "site", entity: "east", site: "east", fields: ["name": .text("East")])
            await #expect(throws: SyncStorageError.self) { try await storage.push([site], by: Self.coordinator) }
            let sitePush = try await storage.push([site], by: Self.admin)
            #expect(sitePush.accepted == 1)
            let last = try await storage.lastSequence()
            #expect(last == 3)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func pullsShowOnlyTheAccountsSitesPlusGlobalDefinitionsInPages(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage in
            var north: [Change] = []
            var south: [Change] = []
            var global: [Change] = []
            for index in 0..<5 {
                let week = "2026-0\(index + 1)-05"
                north.append(Changes.observation(site: "north", unit: "ward-7", week: week))
                south.append(Changes.observation(site: "south", unit: "ward-2", week: week, replica: "ward-b"))
                global.append(
                    Changes.make(
                        type: "measure", entity: "m-\(index)", site: nil, fields: ["name": .text("M \(index)")]))
                _ = try await storage.push([north[index]], by: Self.memberNorth)
                _ = try await storage.push([south[index]], by: Self.memberSouth)
                _ = try await storage.push([global[index]], by: Self.admin)
            }
            let pages = try await pullAll(storage, as: Self.memberNorth, limit: 3)
            #expect(pages.count == 4)
            let morePages = pages.dropLast().allSatisfy { $0.hasMore }
            #expect(morePages)
            let seen = pages.flatMap(\.changes)
            let expected = zip(north, global).flatMap { [$0.id, $1.id] }
            #expect(seen.map(\.id) == expected)
            #expect(seen.map(\.seq) == seen.map(\.seq).sorted())
            #expect(pages.last?.cursor == seen.last?.seq)
            #expect(try await pullAll(storage, as: Self.admin).flatMap(\.changes).count == 15)
            let empty = try await storage.pull(after: 15, limit: 10, for: Self.admin)
            #expect(empty.changes.isEmpty && !empty.hasMore && empty.cursor == 15)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func concurrentEditsBecomeConflictsThatPullsCarryWithTheirResolution(backend: StorageBackend) async throws {
        try await withStorage(backend) { storage in
            let created = Changes.observation(site: "north", unit: "ward-7", numerator: 2)
            _ = try await storage.push([created], by: Self.memberNorth)
            let tablet = Changes.make(
                type: "observation", entity: created.entity, site: "north", fields: ["numerator": .number(3)],
                replica: "ward-a", millis: ServerHarness.now - 30_000, base: ["numerator": created.hlc])
            let laptop = Changes.make(
                type: "observation", entity: created.entity, site: "north", fields: ["numerator": .number(4)],
                replica: "ward-c", millis: ServerHarness.now - 20_000, base: ["numerator": created.hlc])
            #expect(try await storage.push([tablet], by: Self.memberNorth).conflicts == 0)
            let second = try await storage.push([laptop], by: Self.memberNorth)
            #expect(second.conflicts == 1)
            let south = try await storage.pull(after: 0, limit: 100, for: Self.memberSouth)
            #expect(south.changes.isEmpty && south.conflicts.isEmpty)
            let page = try await storage.pull(after: 0, limit: 100, for: Self.coordinator)
            let conflict = try #require(page.conflicts.first)
            #expect(page.conflicts.count == 1)
            #expect(conflict.loser.value == .number(3) && conflict.winner.value == .number(4))
            #expect(conflict.site == "north" && conflict.resolution == nil)

            // The coordinator keeps the loser: the value is written back and the decision recorded.
            let keepLoser = Changes.make(
                type: "observation", entity: created.entity, site: "north", fields: ["numerator": .number(3)],
                replica: "hub", millis: ServerHarness.now - 10_000, base: ["numerator": laptop.hlc])
            let resolution = Changes.make(
                type: "resolution", entity: conflict.id, site: "north",
                fields: [
                    "site": .text("north"), "keep": .text("loser"), "kind": .text("edit"),
                    "recordType": .text("observation"), "entity": .text(created.entity), "field": .text("numerator"),
                    "loserValue": .text("3"), "loserAuthor": .text(conflict.loser.author),
                    "loserHLC": .text(conflict.loser.hlc.description), "winnerValue": .text("4"),
                    "winnerAuthor": .text(conflict.winner.author), "winnerHLC": .text(conflict.winner.hlc.description),
                ], replica: "hub", millis: ServerHarness.now - 9_000)
            let cursor = try await storage.lastSequence()
            _ = try await storage.push([keepLoser, resolution], by: Self.coordinator)
            let after = try await storage.pull(after: cursor, limit: 100, for: Self.memberNorth)
            #expect(after.changes.map(\.id) == [keepLoser.id, resolution.id])
            let settled = try #require(after.conflicts.first { $0.id == conflict.id })
            #expect(settled.resolution == .loser)
            #expect(settled.loser.value == .number(3))
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func theProtocolsMergeCasesGiveTheirConflictsWhateverTheBatching(backend: StorageBackend) async throws {
        let cases = try MergeCases.load()
        #expect(cases.count >= 8)
        for item in cases {
            for oneByOne in [false, true] {
                try await withStorage(backend) { storage in
                    // In the order devices send them (a record's creation first, so it has its site).
                    if oneByOne {
                        for change in item.changes { _ = try await storage.push([change], by: Self.admin) }
                    } else {
                        _ = try await storage.push(item.changes, by: Self.admin)
                    }
                    let pulled = try await pullAll(storage, as: Self.admin).flatMap(\.conflicts)
                    let context = "\(item.name) (\(oneByOne ? "one by one" : "one batch"))"
                    #expect(pulled.map(\.id).sorted() == item.conflictIDs.sorted(), "\(context)")
                }
            }
        }
    }
}

/// Protocol/examples/merge-cases.json: each case's changes and the ids of the conflicts it yields.
enum MergeCases {
    struct Case: Sendable {
        let name: String
        let changes: [Change]
        let conflictIDs: [String]
    }

    static func load() throws -> [Case] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Protocol/examples/merge-cases.json")
        guard case .array(let raw) = try JSONParser.parse(try Data(contentsOf: file)) else { return [] }
        return try raw.map { item in
            guard case .object(let object) = item, case .string(let name)? = object["name"],
                case .array(let changes)? = object["changes"], case .object(let expected)? = object["expected"]
            else { throw TestSetupError("a merge case is malformed") }
            var ids: [String] = []
            if case .array(let conflicts)? = expected["conflicts"] {
                for case .object(let conflict) in conflicts {
                    if case .string(let id)? = conflict["id"] { ids.append(id) }
                }
            }
            return Case(
                name: name,
                changes: try changes.enumerated().map { try ChangeWire.change(from: $1, path: "[\($0)]").change },
                conflictIDs: ids)
        }
    }
}
