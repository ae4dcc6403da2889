import ArgumentParser
import Foundation
import Hummingbird
import ImprovementCore
import ImprovementServer
import Logging

/// `improve-bench live`: how soon a change pushed by one device is held by another device that
/// watches (`SyncEngine.watch`, a live pull always open), on SQLite or across two servers
/// sharing PostgreSQL.
struct LiveBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Time from one device's acknowledged push to a watching device's store holding the change.",
        discussion: """
            One device records and pushes one change at a time (with a short random pause between), another \
            runs a watch. With --database postgres://..., a fresh database is created for the run and two \
            servers share it, each with its own connection pool and its own LISTEN connection (in this \
            process): the pushing device talks to one, the watching device to the other, so every change \
            crosses servers through LISTEN/NOTIFY.
            """)

    @Option(help: "How many changes to time (at least 50 for a p99 worth the name).")
    var changes = 50
    @Option(
        help: ArgumentHelp(
            "Server database: a SQLite file path (default: a fresh temporary file) or postgres://USER@HOST:PORT/DB.",
            discussion: "With PostgreSQL the account needs CREATEDB; the password comes from PGPASSWORD."))
    var database: String?
    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        guard (1...10_000).contains(changes) else { throw ValidationError("--changes must be between 1 and 10000") }
        if let database, PostgresLocation.isPostgresURL(database) {
            do {
                _ = try PostgresLocation(url: database)
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func run() async throws {
        let folder = NSTemporaryDirectory() + "improve-bench-live-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var logger = Logger(label: "bench-server")
        logger.logLevel = .error

        // One storage per server: two on PostgreSQL (sharing the database), one on SQLite.
        var postgres: PostgresLocation?
        var storages: [any SyncStorage] = []
        if let database, PostgresLocation.isPostgresURL(database) {
            let location = try await PostgresDatabases.create(
                prefix: "improve_bench_", on: try PostgresLocation(url: database), logger: logger)
            postgres = location
            for _ in 0..<2 { storages.append(try await PostgresSyncStorage.connect(location, logger: logger)) }
        } else {
            storages.append(try SQLiteSyncStorage(path: database ?? folder + "/server.sqlite"))
        }
        let token = try await AccountAdministration.add(
            name: "bench-\(UUID().uuidString.prefix(8))", role: .admin, sites: [], storage: storages[0])
        var urls: [URL] = []
        var servers: [Task<Void, any Error>] = []
        for storage in storages {
            let (ports, portSink) = AsyncStream<Int>.makeStream()
            let app = buildApplication(configuration: ServerConfiguration(port: 0), storage: storage, logger: logger) {
                port in portSink.yield(port)
            }
            servers.append(Task { try await app.run() })
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ValidationError("the server did not start") }
            urls.append(URL(string: "http://127.0.0.1:\(port)")!)
        }
        let sendingServer = urls[0]
        let watchingServer = urls[urls.count - 1]

        let sender = try ImprovementStore(path: folder + "/sender.sqlite", options: StoreOptions(replica: "sender"))
        try sender.apply(try SyncBenchmark.definitions(folder: folder))
        let client = SyncClient(server: sendingServer, token: token, store: sender)
        try await client.push()
        let watcher = try ImprovementStore(path: folder + "/watcher.sqlite", options: StoreOptions(replica: "watcher"))
        try await SyncClient(server: watchingServer, token: token, store: watcher).pull()

        // Each received change marks its arrival time; the watch applies a page before it says so.
        let (arrivals, arrived) = AsyncStream<ContinuousClock.Instant>.makeStream()
        let engine = SyncEngine(store: watcher, server: watchingServer, token: token)
        let watching = Task {
            try await engine.watch(wait: 25) { event in
                if case .received(let progress) = event, progress.received > 0 { arrived.yield(.now) }
            }
        }
        try await Task.sleep(for: .milliseconds(500))

        var afterAck: [Double] = []
        var afterSend: [Double] = []
        var roundTrips: [Double] = []
        var arrivalIterator = arrivals.makeAsyncIterator()
        let today = sender.today
        for index in 0..<changes {
            try sender.write(author: "nurse") { writer in
                try writer.record(
                    ObservationEntry(measure: "m0", unit: "unit-0", period: today.adding(days: -index), value: Double(index)))
            }
            let sent = ContinuousClock.now
            try await client.push()
            let acknowledged = ContinuousClock.now
            guard let arrival = await arrivalIterator.next() else { break }
            // The watcher may hold the change before the acknowledgement reaches the sender: 0 then.
            afterAck.append(max(0, Self.milliseconds(arrival - acknowledged)))
            afterSend.append(Self.milliseconds(arrival - sent))
            roundTrips.append(Self.milliseconds(acknowledged - sent))
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...150)))
        }
        watching.cancel()
        _ = try? await watching.value
        let held = try watcher.observations(ObservationQuery()).count
        for server in servers { server.cancel() }
        if let postgres {
            for storage in storages { (storage as? PostgresSyncStorage)?.shutdown() }
            try await PostgresDatabases.drop(postgres, logger: logger)
        }
        guard held >= changes else { throw ValidationError("the watcher holds \(held) of \(changes) changes") }

        let report: [String: Any] = [
            "benchmark": "live", "backend": postgres == nil ? "sqlite" : "postgres-two-servers", "changes": changes,
            "ack_to_watcher_ms_median": Self.percentile(afterAck, 0.5), "ack_to_watcher_ms_p99": Self.percentile(afterAck, 0.99),
            "ack_to_watcher_ms_max": afterAck.max() ?? 0,
            "send_to_watcher_ms_median": Self.percentile(afterSend, 0.5),
            "send_to_watcher_ms_p99": Self.percentile(afterSend, 0.99),
            "push_round_trip_ms_median": Self.percentile(roundTrips, 0.5),
            "push_round_trip_ms_p99": Self.percentile(roundTrips, 0.99),
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "\(changes) changes: acknowledged push to the watcher's store, median "
                    + "\(StoreBenchmark.format(Self.percentile(afterAck, 0.5))) ms, p99 "
                    + "\(StoreBenchmark.format(Self.percentile(afterAck, 0.99))) ms; push round trip median "
                    + "\(StoreBenchmark.format(Self.percentile(roundTrips, 0.5))) ms")
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// The nearest-rank percentile.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
