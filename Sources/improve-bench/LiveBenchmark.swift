import ArgumentParser
import AsyncHTTPClient
import Foundation
import ImprovementCore
import ImprovementServer
import Logging
import NIOCore
import Synchronization

/// `improve-bench live`: how soon a change one device pushes is in another device's store, when
/// the other holds a live pull (`GET /v1/pull?wait=`). With PostgreSQL the two devices talk to two
/// server processes sharing the database, so the wake-up crosses processes.
struct LiveBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Time from a push being acknowledged to a watching device's store holding the change.",
        discussion: """
            One device pushes one observation every --interval milliseconds; a second device of the same site \
            holds live pulls and applies each page to its own store file. With --database postgres://… two \
            improve-server processes share the database: the pusher talks to one, the watcher to the other.
            """)

    @Option(help: "How many changes to time (at least 50 for a p99 worth quoting).")
    var changes = 60
    @Option(help: "Milliseconds between pushes.")
    var interval = 100
    @Option(
        help: ArgumentHelp(
            "Server database: a SQLite file path (default: a fresh temporary file) or postgres://USER@HOST:PORT/DB.",
            discussion: "With PostgreSQL a fresh database is created for the run and dropped after it."))
    var database: String?
    @Option(help: "How many more devices hold live pulls on the watching server meanwhile (their errors and the server's RSS are reported).")
    var watchers = 0
    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        guard (1...100_000).contains(changes) else { throw ValidationError("--changes must be between 1 and 100,000") }
        guard (0...10_000).contains(watchers) else { throw ValidationError("--watchers must be between 0 and 10,000") }
        guard (0...60_000).contains(interval) else { throw ValidationError("--interval must be between 0 and 60,000 ms") }
    }

    func run() async throws {
        let folder = NSTemporaryDirectory() + "improve-bench-live-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var logger = Logger(label: "bench-live")
        logger.logLevel = .error

        let target = try await ServerUnderLoad.prepare(
            database: database, folder: folder, devices: 2 + watchers, sites: 1, logger: logger)
        let pushServer = try ServerProcess.start(database: target.database, folder: folder + "/a")
        defer { pushServer.stop() }
        let watchServer = target.postgres == nil ? pushServer : try ServerProcess.start(database: target.database, folder: folder + "/b")
        defer { watchServer.stop() }
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60))
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = watchers + 8
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .disallow, timeout: .init(connect: .seconds(30), read: .seconds(120)),
                connectionPool: pool))
        let pusher = WireClient(client: client, base: "http://127.0.0.1:\(pushServer.port)")
        let watcher = WireClient(client: client, base: "http://127.0.0.1:\(watchServer.port)")
        try await pusher.define(sites: 1, devices: 2, token: target.adminToken)

        let store = try ImprovementStore(path: folder + "/watcher.sqlite", options: StoreOptions(replica: "watcher"))
        let acknowledged = Mutex<[String: ContinuousClock.Instant]>([:])
        let applied = Mutex<[String: ContinuousClock.Instant]>([:])
        let expected = Mutex<Set<String>>([])
        let watchToken = target.tokens[1]

        let watching = Task {
            var cursor: Int64 = 0
            while !Task.isCancelled {
                let answer = await watcher.pull(after: cursor, token: watchToken, limit: 1000, wait: 30)
                guard answer.status == 200,
                    let page = JSONParser.decodePull(Data(answer.body.readableBytesView), maxDepth: 16)
                else {
                    try? await Task.sleep(for: .milliseconds(50))
                    continue
                }
                _ = try? store.apply(page.changes)
                let now = ContinuousClock.now
                applied.withLock { applied in
                    for change in page.changes where applied[change.id] == nil { applied[change.id] = now }
                }
                cursor = Int64(page.cursor)
            }
        }
        // The other devices hold live pulls of their own for the whole run.
        let holdErrors = StatusCounts()
        let holding = Task {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<watchers {
                    group.addTask {
                        var cursor: Int64 = 0
                        while !Task.isCancelled {
                            let answer = await watcher.pull(after: cursor, token: target.tokens[2 + index], wait: 30)
                            if Task.isCancelled { break }
                            if let next = WireClient.cursor(of: answer) {
                                cursor = next
                            } else {
                                holdErrors.add(answer.status)
                                try? await Task.sleep(for: .milliseconds(200))
                            }
                        }
                    }
                }
            }
        }
        let rssStart = watchServer.residentMegabytes()
        // Let the pulls settle into waits.
        try await Task.sleep(for: .milliseconds(watchers > 0 ? 3000 : 300))
        var rssPeak = watchServer.residentMegabytes()
        var device = SimulatedDevice(index: 0, sites: 1, token: target.tokens[0])
        for _ in 0..<changes {
            let change = device.nextObservation()
            expected.withLock { _ = $0.insert(change.id) }
            let answer = await pusher.push([change], replica: device.replica, token: device.token)
            guard answer.status == 200 else {
                throw BenchError("a push was refused (HTTP \(answer.status)): \(String(buffer: answer.body).prefix(300))")
            }
            let now = ContinuousClock.now
            acknowledged.withLock { $0[change.id] = now }
            if interval > 0 { try await Task.sleep(for: .milliseconds(interval)) }
            rssPeak = max(rssPeak, watchServer.residentMegabytes())
        }
        // Wait (bounded) for the last changes to arrive.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let missing = expected.withLock { ids in applied.withLock { applied in ids.filter { applied[$0] == nil }.count } }
            if missing == 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        watching.cancel()
        holding.cancel()
        _ = await holding.value
        try? await client.shutdown()
        if let location = target.postgres { await ServerUnderLoad.drop(location, logger: logger) }

        let ids = expected.withLock { $0 }
        var delays: [Double] = []
        var missing = 0
        for id in ids {
            guard let sent = acknowledged.withLock({ $0[id] }), let arrived = applied.withLock({ $0[id] }) else {
                missing += 1
                continue
            }
            delays.append((arrived - sent).seconds * 1000)
        }
        delays.sort()
        func quantile(_ q: Double) -> Double {
            delays.isEmpty ? 0 : delays[min(delays.count - 1, max(0, Int((Double(delays.count) * q).rounded(.up)) - 1))]
        }
        let report: [String: Any] = [
            "benchmark": "live", "backend": target.postgres == nil ? "sqlite" : "postgres",
            "server_processes": target.postgres == nil ? 1 : 2, "changes": ids.count, "missing": missing,
            "median_ms": quantile(0.5), "p99_ms": quantile(0.99), "max_ms": delays.last ?? 0,
            "min_ms": delays.first ?? 0, "watchers": watchers,
            "watcher_errors": Dictionary(uniqueKeysWithValues: holdErrors.counts.map { (String($0.key), $0.value) }),
            "server_rss_mb_start": rssStart, "server_rss_mb_peak": rssPeak,
        ]
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(
                "\(ids.count) changes, \(report["backend"]!) with \(report["server_processes"]!) server process(es): "
                    + String(format: "push-acknowledged → in the other device's store median %.1f ms, p99 %.1f ms, max %.1f ms", quantile(0.5), quantile(0.99), delays.last ?? 0)
                    + (missing > 0 ? "; \(missing) never arrived" : ""))
            if watchers > 0 {
                let errors = holdErrors.counts
                print(
                    "\(watchers) more devices held live pulls: \(errors.values.reduce(0, +)) errors \(errors), "
                        + "watching server RSS \(rssStart) → peak \(rssPeak) MB")
            }
        }
    }
}

/// Answers other than a page, by HTTP status (0: unreachable), from many tasks.
final class StatusCounts: Sendable {
    private let byStatus = Mutex<[Int: Int]>([:])

    func add(_ status: Int) { byStatus.withLock { $0[status, default: 0] += 1 } }

    var counts: [Int: Int] { byStatus.withLock { $0 } }
}
