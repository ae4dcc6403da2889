import ImprovementCore
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
}
