import ArgumentParser
import AsyncHTTPClient
import Foundation
import ImprovementCore
import ImprovementServer
import Logging
import NIOCore

/// `improve-bench load`: the real `improve-server` in its own process and many devices speaking
/// the wire protocol to it in a closed loop (push a few changes, pull, pause), each with its own
/// account and site: what a hospital's devices do to a server, measured per route.
struct LoadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Many devices push and pull against a server process; latency per route, throughput, RSS, CPU.",
        discussion: """
            Each device has its own member account on one of --sites sites and its own unit, and loops: push 1-20 \
            changes (new weekly observations, and edits of ones it recorded before), pull what is new for its \
            site, wait --think milliseconds. With a pause, each device starts at a random moment within the first \
            one, as devices on a ward are not in step. The server runs as a separate improve-server process (found next \
            to this executable), so its RSS and CPU share are its own.
            """)

    @Option(help: "How many devices run at once.")
    var devices = 50
    @Option(help: "How long to run, in seconds.")
    var seconds = 20
    @Option(help: "Pause between a device's loops, in milliseconds (0: closed loop, no pause).")
    var think = 0
    @Option(help: "How many sites the devices are spread over.")
    var sites = 20
    @Option(
        help: ArgumentHelp(
            "Server database: a SQLite file path (default: a fresh temporary file) or postgres://USER@HOST:PORT/DB.",
            discussion: "With PostgreSQL a fresh database is created for the run and dropped after it."))
    var database: String?
    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        guard (1...5000).contains(devices) else { throw ValidationError("--devices must be between 1 and 5,000") }
        guard (1...3600).contains(seconds) else { throw ValidationError("--seconds must be between 1 and 3,600") }
        guard (0...60_000).contains(think) else { throw ValidationError("--think must be between 0 and 60,000 ms") }
        guard (1...1000).contains(sites) else { throw ValidationError("--sites must be between 1 and 1,000") }
    }

    func run() async throws {
        let folder = NSTemporaryDirectory() + "improve-bench-load-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var logger = Logger(label: "bench-load")
        logger.logLevel = .error

        let target = try await ServerUnderLoad.prepare(
            database: database, folder: folder, devices: devices, sites: sites, logger: logger)
        let server = try ServerProcess.start(database: target.database, folder: folder)
        defer { server.stop() }
        let client = WireClient.httpClient(connections: devices + 4)
        let wire = WireClient(client: client, base: "http://127.0.0.1:\(server.port)")
        try await wire.define(sites: sites, devices: devices, token: target.adminToken)

        let recorder = LatencyRecorder()
        let rssStart = server.residentMegabytes()
        let cpuStart = server.cpuSeconds()
        let start = ContinuousClock.now
        let deadline = start + .seconds(seconds)
        await withTaskGroup(of: Void.self) { group in
            for device in 0..<devices {
                group.addTask {
                    var simulated = SimulatedDevice(index: device, sites: sites, token: target.tokens[device])
                    // Devices on a ward are not in step: each starts at its own moment within the first
                    // pause, so a pause does not turn into all devices knocking at once.
                    if think > 0 { try? await Task.sleep(for: .milliseconds(Int.random(in: 0..<think))) }
                    while ContinuousClock.now < deadline {
                        await simulated.loop(wire: wire, recorder: recorder)
                        if think > 0 { try? await Task.sleep(for: .milliseconds(think)) }
                    }
                }
            }
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let cpu = server.cpuSeconds() - cpuStart
        let rssEnd = server.residentMegabytes()
        try? await client.shutdown()
        server.stop()
        if let location = target.postgres { await ServerUnderLoad.drop(location, logger: logger) }

        let report = recorder.report(
            elapsed: elapsed, devices: devices, think: think, backend: target.postgres == nil ? "sqlite" : "postgres",
            serverCPUShare: cpu / elapsed, rssStart: rssStart, rssEnd: rssEnd)
        if json {
            print(
                String(
                    decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self)
            )
        } else {
            print(LatencyRecorder.summary(report))
        }
    }
}

/// The database the server will open, its accounts made before it starts.
struct ServerUnderLoad {
    var database: String
    var adminToken: String
    var tokens: [String]
    var postgres: PostgresLocation?

    static func prepare(
        database: String?, folder: String, devices: Int, sites: Int, logger: Logger
    ) async throws
        -> ServerUnderLoad
    {
        if let database, PostgresLocation.isPostgresURL(database) {
            let location = try await PostgresDatabases.create(
                prefix: "improve_load_", on: try PostgresLocation(url: database), logger: logger)
            let storage = try await PostgresSyncStorage.connect(location, maximumConnections: 4, logger: logger)
            let made = try await accounts(devices: devices, sites: sites, storage: storage)
            storage.shutdown()
            return ServerUnderLoad(
                database: url(of: location), adminToken: made.admin, tokens: made.devices, postgres: location)
        }
        let path = database ?? folder + "/server.sqlite"
        let made = try await accounts(devices: devices, sites: sites, storage: try SQLiteSyncStorage(path: path))
        return ServerUnderLoad(database: path, adminToken: made.admin, tokens: made.devices, postgres: nil)
    }

    private static func accounts(
        devices: Int, sites: Int, storage: some SyncStorage
    ) async throws
        -> (admin: String, devices: [String])
    {
        let admin = try await AccountAdministration.add(name: "load-admin", role: .admin, sites: [], storage: storage)
        var tokens: [String] = []
        for device in 0..<devices {
            tokens.append(
                try await AccountAdministration.add(
                    name: "load-device-\(device)", role: .member, sites: [SimulatedDevice.site(device, of: sites)],
                    storage: storage))
        }
        return (admin, tokens)
    }

    /// The location as a URL the server's `--database` takes (the password, if any, inline).
    static func url(of location: PostgresLocation) -> String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = location.user
        components.password = location.password
        components.host = location.host
        components.port = location.port
        components.path = "/" + location.database
        return components.string ?? "postgres://\(location.user)@\(location.host):\(location.port)/\(location.database)"
    }

    static func drop(_ location: PostgresLocation, logger: Logger) async {
        try? await PostgresDatabases.drop(location, logger: logger)
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
