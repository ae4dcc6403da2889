import Dispatch
import Foundation
import ImprovementCore
import Synchronization
import Testing

@testable import ImprovementServer

/// Pulls, token checks and health reads never wait for the writer: a push holding SQLite's
/// single writer (or PostgreSQL's push lock), with hundreds more queued behind it, leaves reads
/// as fast as on an idle server. (With reads and writes on one shared concurrent queue, as
/// before, the SQLite test did not finish in 5 minutes: the queued pushes took every thread.)
@Suite("Reads beside writes")
struct ReadsBesideWritesTests {
    static let writer = Account(name: "writer", role: .admin, sites: [])

    /// Lets the first push in, then holds it inside its transaction until `open()`.
    final class Gate: Sendable {
        private let entered = DispatchSemaphore(value: 0)
        private let released = DispatchSemaphore(value: 0)
        private let first = Atomic(true)

        /// Called inside the push transaction (on the writer's thread).
        func hold() {
            guard first.exchange(false, ordering: .sequentiallyConsistent) else { return }
            entered.signal()
            released.wait()
        }

        /// Returns once a push is held. Waits on a thread of its own: on Linux dispatch's global
        /// threads are the cooperative pool's, and two tests waiting there at once would take them all.
        func waitUntilHeld() async {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread { [entered] in
                    entered.wait()
                    continuation.resume()
                }
            }
        }

        func open() { released.signal() }

        /// Should reads wait for the writer after all, lets it go after `seconds` (on a thread of its
        /// own: dispatch's may all be taken), so the test fails rather than hangs.
        func letGo(after seconds: Double) {
            Thread.detachNewThread { [released] in
                Thread.sleep(forTimeInterval: seconds)
                released.signal()
            }
        }
    }

    /// Times the reads a pull request makes (token, page, log id) and a health check.
    static func timeReads(_ storage: any SyncStorage, tokenHash: String) async throws -> Duration {
        let started = ContinuousClock.now
        for _ in 0..<5 {
            _ = try await storage.account(tokenHash: tokenHash)
            _ = try await storage.pull(after: 0, limit: 1000, for: writer)
            _ = try await storage.logID()
            _ = try await storage.lastSequence()
        }
        return ContinuousClock.now - started
    }

    /// Lets one push into the writer and holds it there (`gate`), queues `queued` more pushes
    /// behind it, and times the reads made meanwhile; then lets everything through.
    static func timeReadsWhileAPushIsHeld(_ storage: any SyncStorage, gate: Gate, queued: Int) async throws -> Duration
    {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                _ = try await storage.push([Changes.observation(site: "north", unit: "held")], by: Self.writer)
            }
            await gate.waitUntilHeld()
            for index in 0..<queued {
                group.addTask {
                    _ = try await storage.push(
                        [Changes.observation(site: "north", unit: "queued-\(index)")], by: Self.writer)
                }
            }
            if queued > 0 { try await Task.sleep(for: .milliseconds(300)) }
            gate.letGo(after: 30)
            let reads = try await Self.timeReads(storage, tokenHash: "hash-of-writer")
            gate.open()
            try await group.waitForAll()
            return reads
        }
    }

    /// A PostgreSQL storage on a fresh database whose first push `gate` holds just before it commits.
    static func postgresHeld(
        by gate: Gate, maximumConnections: Int = 10
    ) async throws -> (PostgresSyncStorage, PostgresLocation) {
        let database = try await TestPostgres.createDatabase()
        let storage = try await PostgresSyncStorage.connect(
            database, maximumConnections: maximumConnections, logger: TestPostgres.logger
        ) {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    gate.hold()
                    continuation.resume()
                }
            }
        }
        try await storage.addAccount(Self.writer, tokenHash: "hash-of-writer")
        return (storage, database)
    }

    @Test(.timeLimit(.minutes(1)))
    func sqliteReadsDoNotWaitForAHeldWriterOrThePushesQueuedBehindIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let gate = Gate()
        let storage = try SQLiteSyncStorage(path: folder.appendingPathComponent("server.sqlite").path) { gate.hold() }
        try await storage.addAccount(Self.writer, tokenHash: "hash-of-writer")
        // More queued pushes than the dispatch thread pool has threads: each held a thread before.
        let queued = 300
        let reads = try await Self.timeReadsWhileAPushIsHeld(storage, gate: gate, queued: queued)
        // Milliseconds when idle; the bound leaves room for a machine busy with other tests.
        #expect(reads < .seconds(15), "20 reads took \(reads) while the writer was held")
        #expect(try await storage.lastSequence() == Int64(queued + 1), "every queued push then went through")
    }

    @Test(.timeLimit(.minutes(1)))
    func postgresPullsDoNotTakeThePushLock() async throws {
        let gate = Gate()
        let (storage, database) = try await Self.postgresHeld(by: gate)
        let reads = try await Self.timeReadsWhileAPushIsHeld(storage, gate: gate, queued: 0)
        #expect(reads < .seconds(15), "20 reads took \(reads) while a push held the lock")
        #expect(try await storage.lastSequence() == 1)
        storage.shutdown()
        await TestPostgres.dropDatabase(database)
    }

    /// A push waiting for the lock holds a pooled connection; with more pushes waiting than the
    /// pool has connections, pulls would wait for a connection, behind the lock after all. (Before
    /// pushes passed a gate narrower than the pool, the reads here waited for the gate's 30 s.)
    @Test(.timeLimit(.minutes(1)))
    func postgresPullsFindAConnectionWhileMorePushesThanConnectionsWaitForTheLock() async throws {
        let gate = Gate()
        let (storage, database) = try await Self.postgresHeld(by: gate, maximumConnections: 4)
        let queued = 20
        let reads = try await Self.timeReadsWhileAPushIsHeld(storage, gate: gate, queued: queued)
        #expect(reads < .seconds(15), "20 reads took \(reads) while \(queued) pushes waited for the lock")
        #expect(try await storage.lastSequence() == Int64(queued + 1), "every queued push then went through")
        storage.shutdown()
        await TestPostgres.dropDatabase(database)
    }
}
