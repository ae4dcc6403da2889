import ArgumentParser
import Foundation
import Hummingbird
import ImprovementServer
import Logging

@main
struct ImproveServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "improve-server",
        abstract: "The Improve sync server: devices push the changes they recorded offline and pull everyone else's.",
        discussion: "The wire protocol is described in Protocol/README.md; operating notes are in Server/.",
        subcommands: [Serve.self, User.self])
}

struct DatabaseOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The server's database: a SQLite file path (created if missing) or postgres://USER@HOST:PORT/DB.",
            discussion: "For PostgreSQL, give the password in PGPASSWORD rather than in the URL; add ?sslmode=require "
                + "to insist on TLS. Several servers may share one PostgreSQL database."))
    var database: String

    func validate() throws {
        guard !database.isEmpty else { throw ValidationError("--database needs a file path or a postgres:// URL") }
        if PostgresLocation.isPostgresURL(database) {
            do {
                _ = try PostgresLocation(url: database)
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    /// Opens the storage; a failure says what is wrong (StorageOpenError) without a usage text.
    func open(logger: Logger = Logger(label: "improve-server")) async throws -> any SyncStorage {
        try await openSyncStorage(database, logger: logger)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runs the server until SIGTERM or SIGINT, then finishes open requests and stops.")

    @OptionGroup var storage: DatabaseOption
    @Option(help: "Address to listen on. Put TLS in front (see Server/) when it is not loopback.")
    var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one and prints it).")
    var port = 8080
    @Option(help: "Largest request body accepted, in bytes.")
    var maxBodyBytes = 8 * 1024 * 1024
    @Option(help: "Most changes accepted in one push.")
    var maxBatch = 5000
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        guard (1...100_000).contains(maxBatch) else { throw ValidationError("--max-batch must be between 1 and 100000") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a level") }
    }

    func run() async throws {
        var logger = Logger(label: "improve-server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let storage = try await storage.open(logger: logger)
        let configuration = ServerConfiguration(host: host, port: port, maxBodyBytes: maxBodyBytes, maxBatchSize: maxBatch)
        let app = buildApplication(configuration: configuration, storage: storage, logger: logger) { port in
            // Written straight to the file descriptor so scripts and tests see it at once.
            FileHandle.standardOutput.write(Data("improve-server listening on \(configuration.host):\(port)\n".utf8))
        }
        try await app.runService()
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
            let storage = try await storage.open()
            let role = Role(rawValue: role)!
            let siteList = sites.split(separator: ",").map(String.init)
            do {
                let token = try await AccountAdministration.add(name: name, role: role, sites: siteList, storage: storage)
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
            let storage = try await storage.open()
            do {
                try await AccountAdministration.revoke(name: name, storage: storage)
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
            let storage = try await storage.open()
            for account in try await storage.accounts() {
                let sites = account.role == .admin ? "*" : account.sites.sorted().joined(separator: ",")
                print("\(account.name)\t\(account.role.rawValue)\t\(sites)\(account.revoked ? "\trevoked" : "")")
            }
        }
    }
}
