import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Runs the server until SIGTERM or SIGINT, then finishes open requests and stops.",
        discussion: """
            Every option falls back to an environment variable when it is not given, so a systemd \
            EnvironmentFile= or a compose env_file can hold the configuration (see \
            Server/improve-server.env.example): IMPROVE_DATABASE, IMPROVE_HOST, IMPROVE_PORT, \
            IMPROVE_MAX_BODY_BYTES, IMPROVE_MAX_BATCH, IMPROVE_LOG_LEVEL, IMPROVE_MIN_FREE_BYTES. A flag wins over its variable; \
            an empty variable counts as unset.
            """)

    @OptionGroup var storage: DatabaseOption
    @Option(
        help: """
            Address to listen on; put TLS in front (see Server/) when it is not loopback. \
            Default: $IMPROVE_HOST, else 127.0.0.1.
            """)
    var host: String?
    @Option(help: "Port to listen on (0 picks a free one and prints it). Default: $IMPROVE_PORT, else 8080.")
    var port: Int?
    @Option(help: "Largest request body accepted, in bytes. Default: $IMPROVE_MAX_BODY_BYTES, else 8388608 (8 MiB).")
    var maxBodyBytes: Int?
    @Option(help: "Most changes accepted in one push. Default: $IMPROVE_MAX_BATCH, else 5000.")
    var maxBatch: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical. Default: $IMPROVE_LOG_LEVEL, else info.")
    var logLevel: String?
    @Option(
        help: """
            Free disk space, in bytes, below which GET /health/ready answers 503 so a load balancer \
            sends pushes elsewhere (SQLite: the disk holding the file). Default: $IMPROVE_MIN_FREE_BYTES, \
            else 268435456 (256 MiB).
            """)
    var minFreeBytes: Int?

    func validate() throws { _ = try settings() }

    /// Flags, else IMPROVE_* variables, else defaults.
    func settings() throws -> ServerEnvironment.ServeSettings {
        do {
            return try ServerEnvironment().serveSettings(
                database: storage.database, host: host, port: port, maxBodyBytes: maxBodyBytes, maxBatch: maxBatch,
                logLevel: logLevel, minFreeBytes: minFreeBytes)
        } catch {
            // A wrong flag is a command-line mistake, where the usage text helps; a wrong IMPROVE_*
            // variable is not, so it is reported alone.
            if error.description.hasPrefix("IMPROVE_") { throw error }
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let settings = try settings()
        var logger = Logger(label: "improve-server")
        logger.logLevel = settings.logLevel
        // Never the raw location: a database URL may carry a password.
        logger.info("opening database", metadata: ["database": "\(ServerEnvironment.redacted(settings.database))"])
        let opened = try await DatabaseOption.openStorage(settings.database, logger: logger)
        let configuration = settings.configuration
        let app = buildApplication(configuration: configuration, storage: opened.storage, logger: logger) { port in
            // Written straight to the file descriptor so scripts and tests see it at once.
            FileHandle.standardOutput.write(Data("improve-server listening on \(configuration.host):\(port)\n".utf8))
        }
        try await serverServiceGroup(storage: opened, application: app, logger: logger).run()
    }
}
