import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImprovementCore
import ImprovementHTTPTransport
import Synchronization
import Testing

/// The sync engine against a server on a real loopback socket: the statuses it publishes when
/// the server first fails, what cancelling leaves in the store, and syncing without being asked.
@Suite("Sync engine")
struct SyncEngineTests {
    @Test func aServerThatFailsOnceShowsWaitingThenUploadingDownloadingAndIdle() async throws {
        let server = FakeSyncServer(failingPushes: 1)
        let store = try Self.store(pending: 1)
        let options = SyncEngine.Options(
            retries: 3, backoff: Backoff(base: 0.01, cap: 0.01, jitter: 0), sleep: { _ in },
            random: SeededRandom(seed: 1))
        try await server.serve { url in
            let engine = SyncEngine(
                store: store, server: url, token: "imp_secret", transport: HTTPClientTransport(),
                options: options)
            let updates = engine.statusUpdates()
            let progress = try await engine.syncOnce()
            #expect(progress.pushed == 1 && progress.pages == 1)

            // Every status was published before syncOnce returned: read them up to the final one.
            var statuses: [SyncStatus] = []
            for await status in updates {
                statuses.append(status)
                if status.state == .idle && status.lastSynced != nil { break }
            }
            var states: [SyncStatus.State] = []
            for status in statuses where states.last != status.state { states.append(status.state) }
            #expect(states == [.idle, .connecting, .waitingToRetry, .connecting, .uploading, .downloading, .idle])
            let waiting = try #require(statuses.first { $0.state == .waitingToRetry })
            #expect(waiting.lastError?.contains("HTTP 503") == true && waiting.pending == 1)
            let last = try #require(statuses.last)
            #expect(last.pending == 0 && last.held == 0 && last.lastError == nil)
        }
        #expect(server.pushAnswers == 2)
        #expect(server.received.count == 1)
        #expect(try store.pendingCount() == 0)
    }

    @Test func transientFailuresBeyondTheRetriesGiveUpAndKeepTheChanges() async throws {
        let server = FakeSyncServer(failingPushes: 100)
        let store = try Self.store(pending: 2)
        let slept = Mutex<[Double]>([])
        let options = SyncEngine.Options(
            retries: 2, backoff: Backoff(base: 1, cap: 60, jitter: 0),
            sleep: { seconds in slept.withLock { $0.append(seconds) } })
        try await server.serve { url in
            let engine = SyncEngine(
                store: store, server: url, token: "imp_secret", transport: HTTPClientTransport(),
                options: options)
            let error = await #expect(throws: SyncEngineError.self) { try await engine.syncOnce() }
            guard case .gaveUp(.server(503, _), 3)? = error else {
                Issue.record("expected to give up after 3 tries, got \(String(describing: error))")
                return
            }
            #expect(engine.status.lastError?.contains("Tried 3 times") == true)
        }
        #expect(slept.withLock { $0 } == [1, 2])
        #expect(try store.pendingCount() == 2)
    }

    @Test func cancellingARunStopsPromptlyBetweenBatchesAndLeavesTheStoreWhole() async throws {
        let server = FakeSyncServer(pushDelay: .milliseconds(60))
        let store = try Self.store(pending: 40)
        let all = try store.rawChanges(after: 0, limit: 1000, sites: nil, pendingOnly: false).changes.map(\.id)
        let options = SyncEngine.Options(pushBatchSize: 4, pollInterval: 0.02, minimumInterval: 0)
        let stoppedAfter = try await server.serve { url in
            let engine = SyncEngine(
                store: store, server: url, token: "imp_secret", transport: HTTPClientTransport(),
                options: options)
            let run = Task { await engine.run() }
            try await Self.waitUntil { server.received.count >= 8 }
            let cancelled = ContinuousClock.now
            run.cancel()
            await run.value
            #expect(engine.status.state == .stopped)
            return ContinuousClock.now - cancelled
        }
        #expect(stoppedAfter < .seconds(2), "the run ends promptly once cancelled")
        let pending = Set(try store.rawChanges(after: 0, limit: 1000, sites: nil, pendingOnly: true).changes.map(\.id))
        let marked = all.filter { !pending.contains($0) }
        #expect(!pending.isEmpty, "cancelled before everything was sent")
        #expect(marked.count % 4 == 0, "whole batches only are marked sent")
        #expect(marked == Array(all.prefix(marked.count)), "the oldest are marked, the rest still pending")
        #expect(Set(marked).isSubset(of: server.received), "nothing is marked sent that the server did not get")
        #expect(try store.pendingCount() == pending.count)
    }

    @Test func aRunPushesAChangeRecordedAfterItStartedAndPullsWhenAsked() async throws {
        let server = FakeSyncServer()
        let store = try Self.store(pending: 0)
        let options = SyncEngine.Options(pollInterval: 0.02, minimumInterval: 0.05, pullInterval: 3600)
        try await server.serve { url in
            let engine = SyncEngine(
                store: store, server: url, token: "imp_secret", transport: HTTPClientTransport(),
                options: options)
            let run = Task { await engine.run() }
            defer { run.cancel() }
            try await Self.waitUntil { server.pulls == 1 && engine.status.state == .idle }

            try store.write(author: "nurse") { try $0.save(Site(id: "later", name: "Recorded later")) }
            let id = try #require(
                try store.rawChanges(after: 0, limit: 10, sites: nil, pendingOnly: true).changes.first?.id)
            try await Self.waitUntil { server.received.contains(id) && engine.status.pending == 0 }
            #expect(try store.pendingCount() == 0)

            let pullsBefore = server.pulls
            await engine.requestSync()
            try await Self.waitUntil { server.pulls > pullsBefore }
            run.cancel()
            await run.value
            #expect(engine.status.state == .stopped && engine.status.lastSynced != nil)
        }
    }

    /// A device store with `pending` changes waiting (one site each).
    private static func store(pending: Int) throws -> ImprovementStore {
        let store = try ImprovementStore(path: nil, options: StoreOptions(replica: "ward-a"))
        for index in 0..<pending {
            try store.write(author: "nurse") { try $0.save(Site(id: "site-\(index)", name: "Site \(index)")) }
        }
        return store
    }

    /// Waits (up to 10 s) until `condition` holds.
    private static func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// A stand-in sync server on loopback: takes every pushed change (after failing the first
/// `failingPushes` pushes with 503), answers every pull with an empty last page, and counts.
final class FakeSyncServer: Sendable {
    private struct State {
        var received: Set<String> = []
        var pushAnswers = 0
        var pulls = 0
    }

    private let state = Mutex(State())
    private let failingPushes: Int
    private let pushDelay: Duration

    init(failingPushes: Int = 0, pushDelay: Duration = .zero) {
        self.failingPushes = failingPushes
        self.pushDelay = pushDelay
    }

    var received: Set<String> { state.withLock { $0.received } }
    var pushAnswers: Int { state.withLock { $0.pushAnswers } }
    var pulls: Int { state.withLock { $0.pulls } }

    /// Serves on a free loopback port while `body` runs with the server's address.
    func serve<T: Sendable>(_ body: @escaping @Sendable (URL) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/v1/push") { request, _ in
            let bytes = try await request.body.collect(upTo: 1 << 22)
            try await Task.sleep(for: self.pushDelay)
            return try self.push(bytes)
        }
        router.get("/v1/pull") { _, _ in
            self.state.withLock { $0.pulls += 1 }
            return Self.json(.ok, #"{"changes":[],"conflicts":[],"cursor":0,"hasMore":false}"#)
        }
        let result = Mutex<T?>(nil)
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            .test(.live) { client in
                let port = try #require(client.port)
                let value = try await body(URL(string: "http://127.0.0.1:\(port)")!)
                result.withLock { $0 = value }
            }
        return try #require(result.withLock { $0 })
    }

    private func push(_ bytes: ByteBuffer) throws -> Response {
        let fail = state.withLock { state in
            state.pushAnswers += 1
            return state.pushAnswers <= failingPushes
        }
        if fail { return Self.json(.serviceUnavailable, #"{"code":"unavailable","message":"Busy."}"#) }
        guard case .object(let object) = try JSONParser.parse(bytes.readableBytesView),
            case .array(let changes)? = object["changes"]
        else { return Self.json(.badRequest, #"{"code":"invalid_json","message":"No changes."}"#) }
        let ids = changes.compactMap { change -> String? in
            guard case .object(let fields) = change, case .string(let id)? = fields["id"] else { return nil }
            return id
        }
        state.withLock { $0.received.formUnion(ids) }
        return Self.json(.ok, #"{"accepted":\#(ids.count),"duplicates":0,"conflicts":0}"#)
    }

    private static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
