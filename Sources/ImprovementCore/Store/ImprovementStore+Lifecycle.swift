import GRDB
import Synchronization

extension ImprovementStore {
    /// The file the store lives in; nil for an in-memory store.
    package var path: String? {
        let path = database.path
        return path.isEmpty || path == ":memory:" ? nil : path
    }

    /// Folds the write-ahead log into the database file and closes every connection, so that the
    /// `.sqlite` file alone holds every committed change and the `-wal` file is gone: a cold copy
    /// of a stopped server's or device's file is then complete. The store cannot be used afterwards;
    /// closing twice does nothing more.
    package func close() throws {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        guard let path else {
            try database.close()
            return
        }
        _ = try database.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try database.close()
        // GRDB closes the pool's read-only connections last, and a read-only connection cannot
        // remove the log. One read-write connection opened and closed now is the last one, so
        // SQLite itself checkpoints and deletes the -wal and -shm files, unless another process
        // still has the database open (then they stay, as they must).
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        try DatabaseQueue(path: path, configuration: configuration).close()
    }
}
