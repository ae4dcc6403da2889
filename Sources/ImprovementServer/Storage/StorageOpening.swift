import Logging

/// Why the server could not open its database.
package enum StorageOpenError: Error, Equatable, CustomStringConvertible {
    case unreachable(String, reason: String)

    package var description: String {
        switch self {
        case .unreachable(let location, let reason):
            "Cannot use the database \(location): \(reason)"
        }
    }
}

/// Opens the storage a `--database` value names: a `postgres://` URL selects PostgreSQL, anything
/// else is the path of the embedded SQLite file (created when missing).
package func openSyncStorage(_ database: String, logger: Logger) async throws -> any SyncStorage {
    if PostgresLocation.isPostgresURL(database) {
        return try await PostgresSyncStorage.connect(try PostgresLocation(url: database), logger: logger)
    }
    return try SQLiteSyncStorage(path: database)
}
