import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImprovementCore
import ImprovementHTTPTransport
import Synchronization
import Testing

/// The device side of the HTTP exchange, against real sockets: redirects are reported rather
/// than followed (the bearer token goes to the configured server only), and an answer that
/// takes a while is waited for, not given up on.
@Suite("Sync client over HTTP")
struct SyncClientHTTPTests {
    @Test func aRedirectIsExplainedAndNotFollowed() async throws {
        let requests = Mutex<[String]>([])
        let router = Router()
        router.post("/v1/push") { _, _ in
            requests.withLock { $0.append("push") }
            return Response(status: .movedPermanently, headers: [.location: "https://elsewhere.invalid/v1/push"])
        }
        let device = try Self.deviceWithOnePendingChange()
        try await Self.syncing(device, with: router) { sync in
            let error = await #expect(throws: SyncError.self) { try await sync.push() }
            guard case .refused(let code, let message)? = error else {
                Issue.record("expected a refusal naming the redirect, got \(String(describing: error))")
                return
            }
            #expect(code == "redirect")
            #expect(message.contains("https://elsewhere.invalid/v1/push"))
        }
        #expect(requests.withLock { $0 } == ["push"])
        #expect(try device.rawChanges(after: 0, limit: 10, sites: nil, pendingOnly: true).changes.count == 1)
    }

    @Test func aSlowAnswerIsAwaited() async throws {
        let router = Router()
        router.get("/v1/pull") { _, _ in
            try await Task.sleep(for: .seconds(1.5))
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(string: #"{"changes":[],"conflicts":[],"cursor":0,"hasMore":false}"#)))
        }
        let device = try Self.deviceWithOnePendingChange()
        try await Self.syncing(device, with: router) { sync in
            let progress = try await sync.pull()
            #expect(progress.pages == 1 && progress.pulled == 0)
        }
    }

    @Test func aLogIdThatKeepsChangingStopsTheSyncInsteadOfLooping() async throws {
        let answers = Mutex(0)
        let router = Router()
        router.get("/v1/pull") { _, _ in
            // Every answer names another change log, as servers with different databases would.
            let count = answers.withLock { count in
                count += 1
                return count
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: #"{"changes":[],"conflicts":[],"cursor":7,"hasMore":true,"log":"log-\#(count)"}"#)))
        }
        let device = try Self.deviceWithOnePendingChange()
        try await Self.syncing(device, with: router) { sync in
            let error = await #expect(throws: SyncError.self) { try await sync.pull() }
            #expect(String(describing: error).contains("changed twice"))
        }
        #expect(answers.withLock { $0 } <= 4, "one restart, then a stop")
    }

    /// `router` served on a free loopback port, and a sync client of `device` pointed at it.
    private static func syncing(
        _ device: ImprovementStore, with router: Router<BasicRequestContext>,
        _ body: @escaping @Sendable (SyncClient) async throws -> Void
    ) async throws {
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            .test(.live) { client in
                let port = try #require(client.port)
                try await body(
                    SyncClient(
                        server: URL(string: "http://127.0.0.1:\(port)")!, token: "imp_secret", store: device,
                        transport: HTTPClientTransport()))
            }
    }

    private static func deviceWithOnePendingChange() throws -> ImprovementStore {
        let store = try ImprovementStore(path: nil, options: StoreOptions(replica: "ward-a"))
        try store.write(author: "nurse") { try $0.save(Site(id: "north", name: "North")) }
        return store
    }
}
