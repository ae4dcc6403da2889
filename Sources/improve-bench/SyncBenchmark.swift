import ArgumentParser
import Foundation
import GRDBSQLite
import Hummingbird
import ImprovementCore
import ImprovementHTTPTransport
import ImprovementServer
import Logging

/// `improve-bench sync`: a real server on loopback with a fresh database; devices push
/// concurrently, then one fresh device pulls (and applies) everything.
struct SyncBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Concurrent pushes from many devices, then one fresh device pulls everything.",
        discussion: "A 1,000,000-change pull: --devices 20 --changes 50000.")

    @Option(help: "How many devices push at once.")
    var devices = 20
    @Option(help: "How many changes each device records and pushes.")
    var changes = 5000
    @Option(
        help: ArgumentHelp(
            "Server database: a SQLite file path (default: a fresh temporary file) or postgres://USER@HOST:PORT/DB.",
            discussion: "With PostgreSQL, a fresh database is created on that server for the run and dropped after it "
                + "(the account needs CREATEDB); the password comes from PGPASSWORD."))
    var database: String?
    @Option(help: "Changes per push request.")
    var batch = 5000
    @Option(help: "Changes per pull page.")
    var page = 10_000
    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        guard (1...200).contains(devices) else { throw ValidationError("--devices must be between 1 and 200") }
        guard (1...1_000_000).contains(changes) else {
            throw ValidationError("--changes must be between 1 and 1,000,000")
        }
        if let database, PostgresLocation.isPostgresURL(database) {
            do {
                _ = try PostgresLocation(url: database)
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func run() async throws {
        let folder = NSTemporaryDirectory() + "improve-bench-sync-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let serverPath = database ?? folder + "/server.sqlite"

        // The server, on a free loopback port, with a fresh database.
        var logger = Logger(label: "bench-server")
        logger.logLevel = .error
        var postgres: PostgresLocation?
        let storage: any SyncStorage
        if let database, PostgresLocation.isPostgresURL(database) {
            let location = try await PostgresDatabases.create(
                prefix: "improve_bench_", on: try PostgresLocation(url: database), logger: logger)
            postgres = location
            storage = try await PostgresSyncStorage.connect(location, maximumConnections: devices, logger: logger)
        } else {
            storage = try SQLiteSyncStorage(path: serverPath)
        }
        let token = try await AccountAdministration.add(
            name: "bench-\(UUID().uuidString.prefix(8))", role: .admin, sites: [], storage: storage)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = buildApplication(
            configuration: ServerConfiguration(
                port: 0, maxBatchSize: max(batch, 5000), maxPullLimit: max(page, 10_000)),
            storage: storage, logger: logger
        ) { port in portSink.yield(port) }
        let serverTask = Task { try await app.run() }
        var portIterator = ports.makeAsyncIterator()
        guard let port = await portIterator.next() else { throw ValidationError("the server did not start") }
        let url = URL(string: "http://127.0.0.1:\(port)")!

        // Devices record offline (not timed): each its own store file and unit.
        let definitions = try Self.definitions(folder: folder)
        var stores: [ImprovementStore] = []
        for device in 0..<devices {
            let store = try ImprovementStore(
                path: folder + "/device-\(device).sqlite", options: StoreOptions(replica: "device-\(device)"))
            try store.apply(definitions)
            try Self.record(changes, on: store, unit: "unit-\(device)")
            stores.append(store)
        }
        let total = devices * changes

        let pushStart = DispatchTime.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores {
                group.addTask {
                    let client = SyncClient(
                        server: url, token: token, store: store, transport: HTTPClientTransport(), pushBatchSize: batch)
                    try await client.push()
                }
            }
            try await group.waitForAll()
        }
        let pushSeconds = Self.seconds(since: pushStart)

        // A fresh device pulls everything and applies it to its own store file.
        stores.removeAll()
        let fresh = try ImprovementStore(path: folder + "/fresh.sqlite", options: StoreOptions(replica: "fresh-device"))
        let rssBefore = Self.residentMegabytes()
        let sampler = Task {
            var peak = Self.residentMegabytes()
            while !Task.isCancelled {
                peak = max(peak, Self.residentMegabytes())
                try? await Task.sleep(for: .milliseconds(20))
            }
            return peak
        }
        let pullStart = DispatchTime.now()
        let pulled = try await SyncClient(
            server: url, token: token, store: fresh, transport: HTTPClientTransport(), pullPageSize: page
        ).pull()
        let pullSeconds = Self.seconds(since: pullStart)
        sampler.cancel()
        let peakDuringPull = await sampler.value
        // Time the server itself spent answering pushes and pulls (its latency histogram's sums),
        // to tell server capacity from the devices' share of the two cores.
        let metrics = String(
            decoding: try await HTTPClientTransport().send(
                SyncRequest(method: "GET", url: url.appendingPathComponent("metrics"))
            ).body,
            as: UTF8.self)
        let serverPushSeconds = Self.histogramSum(metrics, path: "/v1/push")
        let serverPullSeconds = Self.histogramSum(metrics, path: "/v1/pull")
        serverTask.cancel()
        guard pulled.pulled >= total else {
            throw ValidationError("pulled \(pulled.pulled) changes, expected at least \(total)")
        }

        // Baseline: the same change rows (as the fresh device received them), inserted with raw
        // prepared statements into SQLite and, for PostgreSQL, with plain batched inserts there.
        let rows = try RawRows.readChanges(from: folder + "/fresh.sqlite")
        let rawPath = folder + "/raw.sqlite"
        _ = try ImprovementStore(path: rawPath)
        let rawSeconds = try rows.insertChanges(into: rawPath)
        var rawPostgresSeconds: Double?
        if let postgres {
            (storage as? PostgresSyncStorage)?.shutdown()
            rawPostgresSeconds = try await PostgresRawRows.insertChanges(rows, into: postgres, logger: logger)
            try await PostgresDatabases.drop(postgres, logger: logger)
        }

        var report: [String: Any] = [
            "benchmark": "sync", "backend": postgres == nil ? "sqlite" : "postgres", "devices": devices,
            "changes_per_device": changes,
            "total_changes": total, "push_seconds": pushSeconds, "push_changes_per_second": Double(total) / pushSeconds,
            "pulled_changes": pulled.pulled, "pull_seconds": pullSeconds,
            "pull_changes_per_second": Double(pulled.pulled) / pullSeconds,
            "raw_insert_changes_per_second": Double(rows.changes.count) / rawSeconds,
            "rss_mb_before_pull": rssBefore, "peak_rss_mb_during_pull": peakDuringPull,
            "peak_rss_mb_process": Self.peakResidentMegabytes(),
            "server_push_seconds": serverPushSeconds, "server_pull_seconds": serverPullSeconds,
            "server_push_changes_per_second": Double(total) / max(serverPushSeconds, 1e-9),
            "server_pull_changes_per_second": Double(pulled.pulled) / max(serverPullSeconds, 1e-9),
        ]
        if let rawPostgresSeconds {
            report["raw_postgres_insert_changes_per_second"] = Double(rows.changes.count) / rawPostgresSeconds
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "pushed \(total) changes from \(devices) devices in \(StoreBenchmark.format(pushSeconds)) s (\(Int(Double(total) / pushSeconds))/s)"
            )
            print(
                "pulled and applied \(pulled.pulled) in \(StoreBenchmark.format(pullSeconds)) s (\(Int(Double(pulled.pulled) / pullSeconds))/s), peak RSS during pull \(peakDuringPull) MB"
            )
            print("raw SQLite insert of the same change rows: \(Int(Double(rows.changes.count) / rawSeconds))/s")
            if let rawPostgresSeconds {
                print(
                    "raw PostgreSQL insert of the same change rows: \(Int(Double(rows.changes.count) / rawPostgresSeconds))/s"
                )
            }
        }
    }

    static func definitions(folder: String) throws -> [Change] {
        let coordinator = try ImprovementStore(
            path: folder + "/coordinator.sqlite", options: StoreOptions(replica: "coordinator"))
        try coordinator.write(author: "bench") { writer in
            try writer.save(Site(id: "north", name: "North"))
            for unit in 0..<200 { try writer.save(Unit(id: "unit-\(unit)", site: "north", name: "Unit \(unit)")) }
            try writer.save(Programme(id: "falls", name: "Falls", aim: "Fewer falls"))
            for measure in 0..<200 {
                try writer.save(
                    Measure(
                        id: "m\(measure)", programme: "falls", name: "Measure \(measure)", type: .process, chart: .i,
                        frequency: .day, direction: .down))
            }
        }
        return try coordinator.changes(after: 0, limit: 10_000).map(\.change)
    }

    /// Daily values going back in time, 5,000 days per measure.
    static func record(_ count: Int, on store: ImprovementStore, unit: String) throws {
        let today = store.today
        try store.write(author: "nurse") { writer in
            for index in 0..<count {
                try writer.record(
                    ObservationEntry(
                        measure: "m\(index / 5000)", unit: unit, period: today.adding(days: -(index % 5000)),
                        value: Double(index % 17)))
            }
        }
    }

    /// The sum of `improve_http_request_duration_seconds` over every status for one path.
    static func histogramSum(_ exposition: String, path: String) -> Double {
        exposition.split(separator: "\n").filter {
            $0.hasPrefix("improve_http_request_duration_seconds_sum") && $0.contains("path=\"\(path)\"")
        }.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    static func residentMegabytes() -> Int { statusField("VmRSS:") }
    static func peakResidentMegabytes() -> Int { statusField("VmHWM:") }

    private static func statusField(_ name: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap {
                Int($0)
            }
            return (kilobytes ?? 0) / 1024
        }
        return 0
    }
}
