import Foundation
import Hummingbird
import ImprovementCore
import ImprovementServer
import ImprovementTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The PostgreSQL connection pool as a service of the server's `ServiceGroup`: one-shot commands
/// open it for their duration, SIGTERM stops the HTTP server first and the pool after it.
@Suite("PostgreSQL lifecycle")
struct PostgresLifecycleTests {
    /// A new database on the test cluster, as the `--database` URL the binary takes.
    static func databaseURL() async throws -> (url: String, location: PostgresLocation) {
        let location = try await TestPostgres.createDatabase()
        let server = try #require(ProcessInfo.processInfo.environment["IMPROVE_TEST_POSTGRES_URL"])
        var components = try #require(URLComponents(string: server))
        components.path = "/" + location.database
        return (try #require(components.string), location)
    }

    @Test(.timeLimit(.minutes(1))) func idleServerStopsPromptlyOnSigtermAndKeepsWhatWasPushed() async throws {
        let (url, location) = try await Self.databaseURL()
        let binary = try OpsKit.binary()
        // One-shot commands run the pool only while they work, then exit.
        let admin = try OpsKit.token(
            try OpsKit.run(binary, ["user", "add", "admin", "--role", "admin", "--database", url]))
        let listed = try OpsKit.run(binary, ["user", "list", "--database", url])
        #expect(listed.status == 0 && listed.output.contains("admin\tadmin\t*"), "\(listed.output) \(listed.error)")

        let idle = try OpsKit.RunningServer(arguments: ["serve", "--database", url, "--port", "0"])
        #expect(try await OpsKit.status(idle.base + "/health") == 200)
        let started = ContinuousClock.now
        let (status, log) = idle.stop()
        let took = ContinuousClock.now - started
        #expect(status == 0, "SIGTERM stops the server and its pool cleanly: \(log)")
        #expect(took < .seconds(5), "an idle server stops promptly (took \(took))")

        let server = try OpsKit.RunningServer(arguments: ["serve", "--database", url, "--port", "0"])
        let change = Changes.observation(
            site: "north", unit: "ward-7", millis: Int64(Date().timeIntervalSince1970 * 1000) - 60_000)
        #expect(try await OpsKit.push([change], to: server.base, token: admin) == 200)
        #expect(server.stop().status == 0)

        let restarted = try OpsKit.RunningServer(arguments: ["serve", "--database", url, "--port", "0"])
        #expect(try await OpsKit.pull(from: restarted.base, token: admin).contains(change.id), "nothing pushed is lost")
        #expect(restarted.stop().status == 0)
        await TestPostgres.dropDatabase(location)
    }

    /// A graceful shutdown that arrives while a push is inside its transaction lets the push
    /// commit and answer before the pool closes.
    @Test(.timeLimit(.minutes(1))) func gracefulShutdownFinishesAPushInFlightBeforeThePoolDrains() async throws {
        let location = try await TestPostgres.createDatabase()
        let gate = PushGate()
        let storage = try await PostgresSyncStorage.open(location, logger: TestPostgres.logger) {
            await gate.holdUntilReleased()
        }
        let opened = OpenedSyncStorage(storage: storage, services: [storage])
        // A one-shot command's way: a storage of its own, its pool open only meanwhile.
        let admin = try await OpenedSyncStorage(
            storage: try await PostgresSyncStorage.open(location, logger: TestPostgres.logger)
        ).whileRunning { storage in
            try await AccountAdministration.add(name: "admin", role: .admin, sites: [], storage: storage)
        }
        var logger = Logger(label: "test-server")
        logger.logLevel = .warning
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = buildApplication(
            configuration: ServerConfiguration(port: 0), storage: storage, logger: logger
        ) { port in portContinuation.yield(port) }
        let group = serverServiceGroup(storage: opened, application: app, gracefulShutdownSignals: [], logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let base = "http://127.0.0.1:\(port)"
            let change = Changes.observation(
                site: "north", unit: "ward-7", millis: Int64(Date().timeIntervalSince1970 * 1000) - 60_000)
            let push = Task { try await OpsKit.push([change], to: base, token: admin) }
            await gate.waitUntilHeld()
            await group.triggerGracefulShutdown()
            // The HTTP server is stopping, but the pool still serves the transaction it holds.
            try await Task.sleep(for: .milliseconds(300))
            gate.release()
            #expect(try await push.value == 200, "the push in flight is answered")
            try await tasks.waitForAll()

            let again = try await PostgresSyncStorage.connect(location, logger: TestPostgres.logger)
            defer { again.shutdown() }
            let page = try await again.pull(
                after: 0, limit: 100, for: Account(name: "admin", role: .admin, sites: [], revoked: false))
            #expect(page.changes.map(\.id) == [change.id], "the push committed")
        }
        await TestPostgres.dropDatabase(location)
    }
}

/// Holds a push just before its commit until the test lets it go.
final class PushGate: Sendable {
    private let held = AsyncStream<Void>.makeStream()
    private let released = AsyncStream<Void>.makeStream()

    func holdUntilReleased() async {
        held.continuation.yield()
        for await _ in released.stream {}
    }

    func waitUntilHeld() async {
        for await _ in held.stream { return }
    }

    func release() { released.continuation.finish() }
}
