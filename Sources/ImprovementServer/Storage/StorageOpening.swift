import Logging
import ServiceLifecycle

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

/// A storage just opened, with the long-running work it needs while it is used: PostgreSQL's
/// connection pool answers only while its service runs; SQLite's closes the file when it ends.
package struct OpenedSyncStorage: Sendable {
    package let storage: any SyncStorage
    /// Run in the server's `ServiceGroup` before the HTTP server, so they stop after it.
    package let services: [any Service]

    package init(storage: any SyncStorage, services: [any Service]) {
        self.storage = storage
        self.services = services
    }

    /// A PostgreSQL storage whose own pool is its one service.
    package init(storage: PostgresSyncStorage) {
        self.init(storage: storage, services: [storage])
    }

    /// Runs `body` with the services running, then cancels them: for one-shot commands.
    /// Services run once: use either this or a `ServiceGroup`, a single time.
    package func whileRunning<Result>(_ body: (any SyncStorage) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services {
                group.addTask { try await service.run() }
            }
            defer { group.cancelAll() }
            return try await body(storage)
        }
    }
}

/// Opens the storage a `--database` value names: a `postgres://` URL selects PostgreSQL, anything
/// else is the path of the embedded SQLite file (created when missing).
package func openSyncStorage(_ database: String, logger: Logger) async throws -> OpenedSyncStorage {
    if PostgresLocation.isPostgresURL(database) {
        let storage = try await PostgresSyncStorage.open(try PostgresLocation(url: database), logger: logger)
        return OpenedSyncStorage(storage: storage)
    }
    let storage = try SQLiteSyncStorage(path: database)
    return OpenedSyncStorage(storage: storage, services: [SQLiteClosing(storage: storage)])
}
