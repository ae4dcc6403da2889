import ImprovementCore
import ServiceLifecycle

/// Closes the embedded SQLite database when the server stops, after the HTTP server has finished
/// its last request: the write-ahead log is folded into the file and the `-wal` file removed, so a
/// cold copy of a stopped server's `server.sqlite` holds every change it acknowledged.
///
/// It runs in the server's `ServiceGroup` before the HTTP server, which therefore stops first.
struct SQLiteClosing: Service {
    let storage: SQLiteSyncStorage

    func run() async throws {
        // Returns on graceful shutdown (SIGTERM); throws when cancelled (a one-shot command's end).
        // Either way the work is over and the database is closed.
        try? await gracefulShutdown()
        try storage.store.close()
    }
}
