import Foundation
import NIOSSL
import PostgresNIO

/// A PostgreSQL database named by a `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`
/// URL. The password is better given in the standard `PGPASSWORD` environment variable: a URL
/// on a command line is visible to everyone who can list processes.
package struct PostgresLocation: Equatable, Sendable, CustomStringConvertible {
    package enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
    }

    package var host: String
    package var port: Int
    package var user: String
    package var password: String?
    package var database: String
    package var tls: TLSMode

    package enum Failure: Error, Equatable, CustomStringConvertible {
        case notPostgres
        case invalid(String)

        package var description: String {
            switch self {
            case .notPostgres: "not a postgres:// URL"
            case .invalid(let reason):
                "The PostgreSQL URL is not valid: \(reason). Expected postgres://USER@HOST:PORT/DATABASE "
                    + "(password in PGPASSWORD; optional ?sslmode=disable|prefer|require)."
            }
        }
    }

    /// True when the text names a PostgreSQL database rather than a SQLite file.
    package static func isPostgresURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    package init(
        host: String, port: Int = 5432, user: String, password: String? = nil, database: String, tls: TLSMode = .prefer
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses the URL; `environment` supplies `PGPASSWORD` when the URL has no password.
    package init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Failure)
    {
        guard Self.isPostgresURL(text) else { throw .notPostgres }
        guard let components = URLComponents(string: text) else { throw .invalid("it cannot be read as a URL") }
        guard let host = components.host, !host.isEmpty else { throw .invalid("the host is missing") }
        guard let user = components.user, !user.isEmpty else { throw .invalid("the user name is missing") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else { throw .invalid("the database name is missing") }
        if let port = components.port, !(1...65_535).contains(port) { throw .invalid("the port must be 1-65535") }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw .invalid("sslmode must be disable, prefer or require")
                }
                tls = mode
            default:
                throw .invalid("unknown parameter \(item.name)")
            }
        }
        self.init(
            host: host, port: components.port ?? 5432, user: user,
            password: components.password ?? environment["PGPASSWORD"], database: path, tls: tls)
    }

    /// The URL without its password, for messages and logs.
    package var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)" + (tls == .prefer ? "" : "?sslmode=\(tls.rawValue)")
    }

    /// The same server and credentials, another database (tests create one each).
    package func with(database: String) -> PostgresLocation {
        var copy = self
        copy.database = database
        return copy
    }

    /// One connection's settings: the first connection is made alone, so that a wrong address,
    /// password or database name is reported at once instead of being retried by the pool.
    package func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tlsSetting: PostgresConnection.Configuration.TLS =
            switch tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tlsSetting)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        let tlsSetting: PostgresClient.Configuration.TLS =
            switch tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tlsSetting)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
