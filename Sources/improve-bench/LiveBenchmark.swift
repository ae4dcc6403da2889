import ArgumentParser
import AsyncHTTPClient
import Foundation
import ImprovementCore
import ImprovementHTTPTransport
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
            One device pushes one observation at a time (then waits --interval milliseconds); a second device of \
            the same site runs SyncEngine.watch (as improve sync --watch does), holding a live pull and applying \
            each page to its own store file. The push round trip is the same run's baseline. With --database postgres://… two \
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
    @Option(
        help:
            "How many more devices hold live pulls on the watching server meanwhile (their errors and the server's RSS are reported)."
    )
    var watchers = 0
    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        guard (1...100_000).contains(changes) else { throw ValidationError("--changes must be between 1 and 100,000") }
        guard (0...10_000).contains(watchers) else { throw ValidationError("--watchers must be between 0 and 10,000") }
        guard (0...60_000).contains(interval) else {
            throw ValidationError("--interval must be between 0 and 60,000 ms")
        }
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
        let watchServer =
            target.postgres == nil
            ? pushServer : try ServerProcess.start(database: target.database, folder: folder + "/b")
        defer { watchServer.stop() }
        let client = WireClient.httpClient(connections: watchers + 8)
        let pusher = WireClient(client: client, base: "http://127.0.0.1:\(pushServer.port)")
        let watcher = WireClient(client: client, base: "http://127.0.0.1:\(watchServer.port)")
        try await pusher.define(sites: 1, devices: 2, token: target.adminToken)

        // The watching device: a real store kept in sync by `SyncEngine.watch` (what `improve sync
        // --watch` runs); each applied page that brought changes marks its arrival time.
        let store = try ImprovementStore(path: folder + "/watcher.sqlite", options: StoreOptions(replica: "watcher"))
        let arrivals = ArrivalLog()
        let engine = SyncEngine(
            store: store, server: URL(string: watcher.base)!, token: target.tokens[1], transport: HTTPClientTransport())
        let watching = Task {
            try await engine.watch(wait: 25) { event in
                if case .received(let progress) = event, progress.received > 0 { arrivals.note(.now) }
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
        var delays: [Double] = []
        var roundTrips: [Double] = []
        var missing = 0
        for _ in 0..<changes {
            let change = device.nextObservation()
            let sent = ContinuousClock.now
            let answer = await pusher.push([change], replica: device.replica, token: device.token)
            guard answer.status == 200 else {
                throw BenchError(
                    "a push was refused (HTTP \(answer.status)): \(String(buffer: answer.body).prefix(300))")
            }
            let acknowledged = ContinuousClock.now
            roundTrips.append((acknowledged - sent).seconds * 1000)
            // The watcher may hold the change before the acknowledgement reaches the pusher: 0 then.
            if let arrival = await arrivals.first(after: sent, timeout: .seconds(10)) {
                delays.append(max(0, (arrival - acknowledged).seconds * 1000))
            } else {
                missing += 1
            }
            rssPeak = max(rssPeak, watchServer.residentMegabytes())
            if interval > 0 { try await Task.sleep(for: .milliseconds(interval)) }
        }
        watching.cancel()
        _ = try? await watching.value
        holding.cancel()
        _ = await holding.value
        let held = try store.observations(ObservationQuery()).count
        try? await client.shutdown()
        if let location = target.postgres { await ServerUnderLoad.drop(location, logger: logger) }
        guard held >= changes else { throw BenchError("the watching device holds \(held) of \(changes) changes") }

        func quantile(_ values: [Double], _ q: Double) -> Double { LatencyRecorder.percentile(values.sorted(), q) }
        let report: [String: Any] = [
            "benchmark": "live", "backend": target.postgres == nil ? "sqlite" : "postgres",
            "server_processes": target.postgres == nil ? 1 : 2, "changes": changes, "missing": missing,
            "ack_to_watcher_ms_median": quantile(delays, 0.5), "ack_to_watcher_ms_p99": quantile(delays, 0.99),
            "ack_to_watcher_ms_max": delays.max() ?? 0,
            "push_round_trip_ms_median": quantile(roundTrips, 0.5),
            "push_round_trip_ms_p99": quantile(roundTrips, 0.99),
            "watchers": watchers,
            "watcher_errors": Dictionary(uniqueKeysWithValues: holdErrors.counts.map { (String($0.key), $0.value) }),
            "server_rss_mb_start": rssStart, "server_rss_mb_peak": rssPeak,
        ]
        if json {
            print(
                String(
                    decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self)
            )
        } else {
            print(
                "\(changes) changes, \(report["backend"]!) with \(report["server_processes"]!) server process(es): "
                    + String(
                        format:
                            "acknowledged push → in the watching device's store median %.1f ms, p99 %.1f ms, max %.1f ms; "
                            + "push round trip median %.1f ms",
                        quantile(delays, 0.5), quantile(delays, 0.99), delays.max() ?? 0, quantile(roundTrips, 0.5))
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

/// When the watching device applied pages that brought changes, noted from the engine's events.
final class ArrivalLog: Sendable {
    private let instants = Mutex<[ContinuousClock.Instant]>([])

    func note(_ instant: ContinuousClock.Instant) { instants.withLock { $0.append(instant) } }

    /// The first arrival at or after `instant`, waiting up to `timeout` for it; nil if none came.
    func first(after instant: ContinuousClock.Instant, timeout: Duration) async -> ContinuousClock.Instant? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = instants.withLock({ $0.first { $0 >= instant } }) { return found }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }
}
