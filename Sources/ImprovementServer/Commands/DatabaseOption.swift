import ArgumentParser
import Logging

/// `--database`, shared by every command that opens the server's storage.
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
            // As in `serve`: only a wrong flag gets the usage text, not a wrong IMPROVE_DATABASE.
            if error.description.hasPrefix("IMPROVE_") { throw error }
            throw ValidationError(error.description)
        }
    }

    /// Opens the storage a location names: the one place that picks the backend.
    /// A failure says what is wrong (StorageOpenError) without a usage text.
    static func openStorage(
        _ location: String, logger: Logger = Logger(label: "improve-server")
    ) async throws
        -> OpenedSyncStorage
    {
        try await openSyncStorage(location, logger: logger)
    }

    /// Runs a one-shot command's `body` on the storage, its connection pool open only meanwhile.
    func withStorage<Result>(_ body: (any SyncStorage) async throws -> Result) async throws -> Result {
        try await Self.openStorage(location()).whileRunning(body)
    }
}
