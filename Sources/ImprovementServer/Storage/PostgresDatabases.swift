import Foundation
import Logging
import PostgresNIO

/// Creating and dropping whole databases on a PostgreSQL server, for benchmarks and tests that
/// need a fresh one each run (the account needs the CREATEDB privilege).
package enum PostgresDatabases {
    /// Creates a database named `prefix` plus a random suffix; returns its location.
    package static func create(
        prefix: String, on server: PostgresLocation, logger: Logger
    ) async throws
        -> PostgresLocation
    {
        let name = prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await execute("CREATE DATABASE \(name)", on: server, logger: logger)
        return server.with(database: name)
    }

    /// Drops the database, closing whatever connections are still open to it.
    package static func drop(_ database: PostgresLocation, logger: Logger) async throws {
        try await execute(
            "DROP DATABASE IF EXISTS \(database.database) WITH (FORCE)", on: database.with(database: "postgres"),
            logger: logger)
    }

    /// Runs one statement on its own connection (CREATE/DROP DATABASE cannot run in a transaction).
    private static func execute(_ statement: String, on server: PostgresLocation, logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try server.connectionConfiguration(), id: 0, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}
