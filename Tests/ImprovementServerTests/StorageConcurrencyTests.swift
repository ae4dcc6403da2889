import ImprovementCore
import PostgresNIO
import Synchronization
import Testing

@testable import ImprovementServer

/// The sequence/commit-order race at the storage level: writers on several connections (for
/// PostgreSQL, two separate pools on one database, as two server processes have) push small
/// batches as fast as they can while a reader pulls in a loop. The reader must receive every
/// change exactly once, in increasing sequence order, and every push must succeed.
@Suite("Storage under concurrent writers")
struct StorageConcurrencyTests {
    static let writer = Account(name: "writer", role: .admin, sites: [])

    /// Two handles on one database: two pools for PostgreSQL, the same store for SQLite.
    func openTwice(_ backend: StorageBackend) async throws -> ([any SyncStorage], @Sendable () async -> Void) {
        switch backend {
        case .sqlite:
            let storage = try SQLiteSyncStorage(path: nil)
            return ([storage, storage], {})
        case .postgres:
            let database = try await TestPostgres.createDatabase()
            let first = try await PostgresSyncStorage.connect(database, logger: TestPostgres.logger)
            let second = try await PostgresSyncStorage.connect(database, logger: TestPostgres.logger)
            return (
                [first, second],
                {
                    first.shutdown()
                    second.shutdown()
                    await TestPostgres.dropDatabase(database)
                }
            )
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func aReaderNeverSkipsAChangeCommittedLateByAnotherConnection(backend: StorageBackend) async throws {
        let (handles, close) = try await openTwice(backend)
        let writers = 6
        let batches = 30
        let perBatch = 4
        let progress = RaceProgress()
        do {
            let pulled = try await withThrowingTaskGroup(of: [String].self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for batch in 0..<batches {
                            let changes = (0..<perBatch).map { index in
                                Changes.observation(
                                    site: "north", unit: "ward-\(writer)", week: "w\(batch)-\(index)",
                                    replica: "device-\(writer)")
                            }
                            let outcome = try await handles[(writer + batch) % 2].push(changes, by: Self.writer)
                            #expect(outcome.accepted == perBatch)
                            progress.pushed.withLock { $0 += changes.map(\.id) }
                        }
                        progress.finished.add(1, ordering: .sequentiallyConsistent)
                        return []
                    }
                }
                group.addTask {
                    var cursor: Int64 = 0
                    var seen: [String] = []
                    var turn = 0
                    while true {
                        let done = progress.finished.load(ordering: .sequentiallyConsistent) == writers
                        let page = try await handles[turn % 2].pull(after: cursor, limit: 13, for: Self.writer)
                        turn += 1
                        for change in page.changes {
                            #expect(change.seq > cursor, "sequence numbers only grow")
                            cursor = change.seq
                            seen.append(change.id)
                        }
                        if done && !page.hasMore { return seen }
                    }
                }
                var result: [String] = []
                for try await ids in group where !ids.isEmpty { result = ids }
                return result
            }
            let all = progress.pushed.withLock { $0 }
            #expect(all.count == writers * batches * perBatch)
            #expect(pulled.count == all.count, "every change pulled once: none skipped, none twice")
            #expect(Set(pulled) == Set(all))
        } catch {
            await close()
            throw error
        }
        await close()
    }

    /// Servers started together on an empty PostgreSQL database (a rolling deploy) migrate it
    /// once, under the advisory lock, and all work.
    @Test func postgresServersStartingTogetherMigrateOnce() async throws {
        let database = try await TestPostgres.createDatabase()
        let storages = try await withThrowingTaskGroup(of: PostgresSyncStorage.self) { group in
            for _ in 0..<4 {
                group.addTask { try await PostgresSyncStorage.connect(database, logger: TestPostgres.logger) }
            }
            var opened: [PostgresSyncStorage] = []
            for try await storage in group { opened.append(storage) }
            return opened
        }
        for (index, storage) in storages.enumerated() {
            try await storage.addAccount(Account(name: "a\(index)", role: .admin, sites: []), tokenHash: "h\(index)")
        }
        #expect(try await storages[0].accounts().count == 4)
        let versions = try await storages[0].client.query("SELECT count(*)::int8 FROM improve_schema_migration")
        var rows: [Int64] = []
        for try await count in versions.decode(Int64.self) { rows.append(count) }
        #expect(rows == [Int64(PostgresSchema.migrations.count)])
        for storage in storages { storage.shutdown() }
        await TestPostgres.dropDatabase(database)
    }

    /// DESIGN's warning case, on purpose: one server's push holds its transaction open (slowly
    /// committing) while another server's push and a reader run. The reader must never see a
    /// change before every change with a lower sequence number.
    @Test func aSlowCommitOnOneServerNeverLetsAReaderSkipAhead() async throws {
        let database = try await TestPostgres.createDatabase()
        let slow = try await PostgresSyncStorage.connect(database, logger: TestPostgres.logger) {
            try await Task.sleep(for: .milliseconds(300))
        }
        let fast = try await PostgresSyncStorage.connect(database, logger: TestPostgres.logger)
        let progress = RaceProgress()
        let seen = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for round in 0..<4 {
                group.addTask {
                    _ = try await slow.push(
                        [Changes.observation(site: "north", unit: "slow-\(round)")], by: Self.writer)
                    progress.finished.add(1, ordering: .sequentiallyConsistent)
                    return []
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(50))
                    _ = try await fast.push(
                        [Changes.observation(site: "north", unit: "fast-\(round)")], by: Self.writer)
                    progress.finished.add(1, ordering: .sequentiallyConsistent)
                    return []
                }
            }
            group.addTask {
                var cursor: Int64 = 0
                var sequences: [Int64] = []
                while true {
                    let done = progress.finished.load(ordering: .sequentiallyConsistent) == 8
                    let page = try await fast.pull(after: cursor, limit: 100, for: Self.writer)
                    sequences += page.changes.map(\.seq)
                    cursor = page.cursor
                    if done && !page.hasMore { return sequences }
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            var result: [Int64] = []
            for try await sequences in group where !sequences.isEmpty { result = sequences }
            return result
        }
        #expect(seen == Array(1...8), "every change seen once, none before a lower number")
        slow.shutdown()
        fast.shutdown()
        await TestPostgres.dropDatabase(database)
    }
}
