import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

@testable import ImprovementServer

/// On SQLite, pushes that wait for the single writer are applied together in one transaction,
/// each in a savepoint of its own. Every guarantee of a lone push must hold in a group: each is
/// accepted whole or refused whole, a resend counts as a duplicate whichever push carried the
/// change first, and the log is the one that applying the accepted pushes one by one, in their
/// commit order, would have written.
@Suite("Grouped pushes")
struct GroupedPushTests {
    static let member = Account(name: "north-nurse", role: .member, sites: ["north"])

    /// Waits (briefly polling) until `count` pushes are queued behind the held writer.
    static func waitUntilQueued(_ count: Int, in storage: SQLiteSyncStorage) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while storage.pushesWaiting < count {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("only \(storage.pushesWaiting) of \(count) pushes queued for the writer")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    static func outcome(_ push: () async throws -> PushOutcome) async -> Result<PushOutcome, any Error> {
        do { return .success(try await push()) } catch { return .failure(error) }
    }

    @Test(.timeLimit(.minutes(1)))
    func pushesQueuedBehindTheWriterShareATransactionAndEachIsWholeOrRefusedAlone() async throws {
        let gate = ReadsBesideWritesTests.Gate()
        let storage = try SQLiteSyncStorage(path: nil) { gate.hold() }
        let held = [Changes.observation(site: "north", unit: "held")]
        let shared = Changes.observation(site: "north", unit: "shared")
        let first = [Changes.observation(site: "north", unit: "first"), shared]
        let second = [shared, Changes.observation(site: "north", unit: "second")]
        // One of its changes is for a site the account does not belong to: refused whole.
        let refused = [
            Changes.observation(site: "north", unit: "refused"), Changes.observation(site: "south", unit: "x"),
        ]

        async let heldOutcome = storage.push(held, by: Self.member)
        await gate.waitUntilHeld()
        gate.letGo(after: 30)
        async let firstOutcome = storage.push(first, by: Self.member)
        async let refusedOutcome = Self.outcome { try await storage.push(refused, by: Self.member) }
        async let secondOutcome = storage.push(second, by: Self.member)
        try await Self.waitUntilQueued(3, in: storage)
        gate.open()

        #expect(try await heldOutcome.accepted == 1)
        let (one, two) = (try await firstOutcome, try await secondOutcome)
        #expect(one.accepted + two.accepted == 3, "the shared change is accepted once")
        #expect(one.duplicates + two.duplicates == 1, "and counted as a duplicate in the other push")
        #expect(one.accepted + one.duplicates == 2 && two.accepted + two.duplicates == 2)
        switch await refusedOutcome {
        case .success(let outcome): Issue.record("a push for another site was accepted: \(outcome)")
        case .failure(let error):
            guard case SyncStorageError.forbidden(let id, _) = error else {
                Issue.record("refused with \(error), not as forbidden")
                break
            }
            #expect(id == refused[1].id)
        }
        #expect(storage.pushTransactions == 2, "the held push alone, then the three queued behind it together")

        let page = try await storage.pull(after: 0, limit: 100, for: Self.member)
        let ids = page.changes.map(\.id)
        #expect(Set(ids) == Set((held + first + second).map(\.id)), "nothing of the refused push is kept")
        #expect(ids.count == 4)
        #expect(page.changes.map(\.seq) == Array(1...4), "sequence numbers are handed out in commit order")
        // Cursors reported to the group's pushes are each push's own end of the log.
        #expect(Set([one.cursor, two.cursor]).isSubset(of: Set(page.changes.map(\.seq))))
    }

    @Test(.timeLimit(.minutes(1)))
    func aGroupTakesPushesUpToItsBoundOfChangesAndTheRestWaitForTheNext() async throws {
        let gate = ReadsBesideWritesTests.Gate()
        let storage = try SQLiteSyncStorage(path: nil) { gate.hold() }
        let bound = SQLiteSyncStorage.maxChangesPerGroup
        // Pushes of a third of the bound each: three fill a group, the fourth must wait for the next.
        let size = bound / 3
        let pushes = (0..<4).map { push in
            (0..<size).map { index in Changes.observation(site: "north", unit: "push-\(push)-\(index)") }
        }
        async let held = storage.push([Changes.observation(site: "north", unit: "held")], by: Self.member)
        await gate.waitUntilHeld()
        let queued = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for push in pushes { group.addTask { try await storage.push(push, by: Self.member).accepted } }
                return try await group.reduce(0, +)
            }
        }
        try await Self.waitUntilQueued(pushes.count, in: storage)
        gate.open()

        #expect(try await held.accepted == 1)
        #expect(try await queued.value == pushes.count * size, "every change of the queued pushes is accepted")
        #expect(
            storage.pushTransactions == 3,
            "the held push, then three pushes of \(size) changes (the bound is \(bound)), then the fourth")
    }

    /// A push of `changes` by `account`, and whether it is meant to be refused.
    struct PlannedPush: Sendable {
        var changes: [Change]
        var account: Account
        var refused: Bool
    }

    /// Random histories (concurrent edits, stale bases, deletions, so conflicts arise), each cut
    /// into a chain of pushes with resends, as one device would send them in order; and pushes
    /// that must be refused, each a chain of its own.
    static func plan(cases: Int, random: inout StorageMergeAgreementTests.Random) -> [[PlannedPush]] {
        var chains: [[PlannedPush]] = []
        for index in 0..<cases {
            let changes = StorageMergeAgreementTests.history(case: index, random: &random)
            var chain: [PlannedPush] = []
            var start = 0
            while start < changes.count {
                let end = min(changes.count, start + Int.random(in: 1...5, using: &random))
                let resend = start > 0 && Int.random(in: 0..<3, using: &random) == 0 ? [changes[start - 1]] : []
                chain.append(PlannedPush(changes: resend + changes[start..<end], account: member, refused: false))
                start = end
            }
            chains.append(chain)
            if Int.random(in: 0..<2, using: &random) == 0 {
                let allowed = Changes.observation(site: "north", unit: "refused-\(index)")
                let foreign = Changes.observation(site: "south", unit: "refused-\(index)")
                chains.append([PlannedPush(changes: [allowed, foreign], account: member, refused: true)])
            }
        }
        chains.shuffle(using: &random)
        return chains
    }

    /// Every change and conflict the storage holds, in log order.
    static func everything(_ storage: any SyncStorage) async throws -> (ids: [String], conflicts: [Conflict]) {
        var cursor: Int64 = 0
        var ids: [String] = []
        var conflicts: [Conflict] = []
        while true {
            let page = try await storage.pull(after: cursor, limit: 1000, for: member)
            ids += page.changes.map(\.id)
            conflicts += page.conflicts
            cursor = page.cursor
            if !page.hasMore { return (ids, conflicts) }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func concurrentPushesLeaveTheLogAndConflictsThatOneByOneInCommitOrderWould() async throws {
        let seed =
            ProcessInfo.processInfo.environment["IMPROVE_PROPERTY_SEED"].flatMap(UInt64.init)
            ?? UInt64.random(in: 1...UInt64.max)
        let context = "seed \(seed) (replay with IMPROVE_PROPERTY_SEED=\(seed))"
        var random = StorageMergeAgreementTests.Random(state: seed)
        let chains = Self.plan(cases: 40, random: &random)
        let pushes = chains.flatMap { $0 }
        let grouped = try SQLiteSyncStorage(path: nil)

        // Every chain at once, each push of a chain after the one before it: groups of many sizes form.
        var outcomes: [Int: Result<PushOutcome, any Error>] = [:]
        let firstIndex = chains.indices.map { chain in chains[..<chain].map(\.count).reduce(0, +) }
        await withTaskGroup(of: [(Int, Result<PushOutcome, any Error>)].self) { group in
            for (chain, first) in zip(chains, firstIndex) {
                group.addTask {
                    var results: [(Int, Result<PushOutcome, any Error>)] = []
                    for (offset, push) in chain.enumerated() {
                        results.append(
                            (
                                first + offset,
                                await Self.outcome { try await grouped.push(push.changes, by: push.account) }
                            ))
                    }
                    return results
                }
            }
            for await results in group {
                for (index, outcome) in results { outcomes[index] = outcome }
            }
        }
        #expect(grouped.pushTransactions < pushes.count, "some pushes shared a transaction, \(context)")

        let log = try await Self.everything(grouped)
        let position = Dictionary(uniqueKeysWithValues: log.ids.enumerated().map { ($1, $0) })
        var accepted: [(turn: Int, push: PlannedPush)] = []
        for (index, push) in pushes.enumerated() {
            switch outcomes[index] {
            case .success(let outcome)?:
                #expect(!push.refused, "push \(index) should have been refused, \(context)")
                #expect(outcome.accepted + outcome.duplicates == push.changes.count, "\(context)")
                let held = push.changes.compactMap { position[$0.id] }
                #expect(held.count == push.changes.count, "every change of an accepted push is held, \(context)")
                // Its new changes were logged after everything before them, so its last one marks its turn.
                if outcome.accepted > 0 { accepted.append((held.max()!, push)) }
            case .failure(let error)?:
                #expect(push.refused, "push \(index) was refused: \(error), \(context)")
                #expect(
                    position[push.changes[0].id] == nil, "nothing of a refused push is kept, \(context)")
            case nil:
                Issue.record("push \(index) has no outcome")
            }
        }

        // The same pushes one by one, in the order they were logged.
        let reference = try SQLiteSyncStorage(path: nil)
        for (_, push) in accepted.sorted(by: { $0.turn < $1.turn }) {
            _ = try await reference.push(push.changes, by: push.account)
        }
        let expected = try await Self.everything(reference)
        #expect(log.ids == expected.ids, "the same log, in the same order, \(context)")
        #expect(log.conflicts == expected.conflicts, "the same conflicts, \(context)")
        #expect(!expected.conflicts.isEmpty, "the histories produce conflicts at all")
    }
}
