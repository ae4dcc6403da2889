import ArgumentParser
import Foundation
import Hummingbird
import ImprovementCore
import ImprovementServer
import Logging
import ServiceLifecycle

@main
struct ImproveServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "improve-server",
        abstract: "The Improve sync server: devices push the changes they recorded offline and pull everyone else's.",
        discussion: "The wire protocol is described in Protocol/README.md; operating notes are in Server/.",
        subcommands: [Serve.self, User.self, Restored.self])
}

struct DatabaseOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The server's database: a SQLite file path (created if missing) or postgres://USER@HOST:PORT/DB. "
                + "Default: $IMPROVE_DATABASE.",
            discussion: "For PostgreSQL, give the password in PGPASSWORD rather than in the URL; add ?sslmode=require "
                + "to insist on TLS. Several servers may share one PostgreSQL database."))
    var database: String?

    func validate() throws { _ = try location() }

    /// The location from --database, else IMPROVE_DATABASE.
    func location() throws -> String {
        do {
            return try ServerEnvironment().database(flag: database)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Opens the storage a location names: the one place that picks the backend.
    /// A failure says what is wrong (StorageOpenError) without a usage text.
    static func openStorage(_ location: String, logger: Logger = Logger(label: "improve-server")) async throws
        -> OpenedSyncStorage
    {
        try await openSyncStorage(location, logger: logger)
    }

    /// Runs a one-shot command's `body` on the storage, its connection pool open only meanwhile.
    func withStorage<Result>(_ body: (any SyncStorage) async throws -> Result) async throws -> Result {
        try await Self.openStorage(location()).whileRunning(body)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runs the server until SIGTERM or SIGINT, then finishes open requests and stops.",
        discussion: """
            Every option falls back to an environment variable when it is not given, so a systemd \
            EnvironmentFile= or a compose env_file can hold the configuration (see \
            Server/improve-server.env.example): IMPROVE_DATABASE, IMPROVE_HOST, IMPROVE_PORT, \
            IMPROVE_MAX_BODY_BYTES, IMPROVE_MAX_BATCH, IMPROVE_LOG_LEVEL. A flag wins over its variable; \
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

    func validate() throws { _ = try settings() }

    /// Flags, else IMPROVE_* variables, else defaults.
    func settings() throws -> ServerEnvironment.ServeSettings {
        do {
            return try ServerEnvironment().serveSettings(
                database: storage.database, host: host, port: port, maxBodyBytes: maxBodyBytes, maxBatch: maxBatch,
                logLevel: logLevel)
        } catch {
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

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manages accounts and their tokens.", subcommands: [Add.self, Revoke.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Creates an account and prints its token, once, as the last word of the output.")

        @Argument(help: "Account name, e.g. sister.okafor or ward7-tablet.")
        var name: String
        @Option(help: "admin, coordinator, member or viewer.")
        var role: String
        @Option(help: "Comma-separated site ids the account belongs to (required except for admins).")
        var sites: String = ""
        @OptionGroup var storage: DatabaseOption

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let role = Role(rawValue: role)!
            let siteList = sites.split(separator: ",").map(String.init)
            do {
                let token = try await storage.withStorage { storage in
                    try await AccountAdministration.add(name: name, role: role, sites: siteList, storage: storage)
                }
                let scope = role == .admin ? "every site" : "sites " + siteList.joined(separator: ", ")
                print("Created \(role.rawValue) account \(name) for \(scope).")
                print("Its token is shown only now; give it to the account holder and keep no other copy:")
                print(token)
            } catch let failure as AccountAdministration.Failure {
                throw ValidationError(failure.description)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraws an account's token at once.")

        @Argument(help: "Account name.")
        var name: String
        @OptionGroup var storage: DatabaseOption

        func run() async throws {
            do {
                try await storage.withStorage { storage in
                    try await AccountAdministration.revoke(name: name, storage: storage)
                }
                print("Revoked \(name): its token no longer works.")
            } catch let failure as AccountAdministration.Failure {
                throw ValidationError(failure.description)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists accounts (never tokens).")

        @OptionGroup var storage: DatabaseOption

        func run() async throws {
            for account in try await storage.withStorage({ try await $0.accounts() }) {
                let sites = account.role == .admin ? "*" : account.sites.sorted().joined(separator: ",")
                print("\(account.name)\t\(account.role.rawValue)\t\(sites)\(account.revoked ? "\trevoked" : "")")
            }
        }
    }
}

struct Restored: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run once after restoring the database from a backup, before starting the servers again.",
        discussion: """
            A backup lacks the changes the server accepted after it was taken, and the devices that \
            sent them have marked them sent. This gives the change log a new id: each device that \
            syncs next sees it, sends every change it made again (the ones the server still holds \
            count as duplicates) and pulls from the start, so nothing is lost. Stop every server \
            process sharing the database first.
            """)

    @OptionGroup var storage: DatabaseOption

    func run() async throws {
        let id = try await storage.withStorage { try await $0.renewLogID() }
        print("The change log now has the id \(id): devices will send their changes again at their next sync.")
    }
}
