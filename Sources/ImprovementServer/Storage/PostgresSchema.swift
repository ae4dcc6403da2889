import Logging
import PostgresNIO

/// The PostgreSQL schema, as numbered migrations that add (3 also relaxes the uniqueness of account
/// names to accounts that are not revoked).
///
/// Several server processes may start at once (a rolling restart): a session advisory lock makes
/// one of them migrate while the others wait, then find nothing left to do.
enum PostgresSchema {
    /// Held while migrating; any constant that no other application uses on the same database.
    static let migrationLock: Int64 = 0x696D_7072_6F76_6501

    static let migrations: [(version: Int, statements: [String])] = [
        (
            1,
            [
                // The change log: `seq` is the server sequence, handed out in commit order.
                """
                CREATE TABLE sync_change (
                    seq BIGINT PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    replica TEXT NOT NULL,
                    type TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    site TEXT,
                    hlc TEXT NOT NULL,
                    author TEXT NOT NULL,
                    fields TEXT NOT NULL,
                    base TEXT NOT NULL
                )
                """,
                "CREATE INDEX sync_change_record ON sync_change (type, entity)",
                // Each record's merged values and versions (canonical JSON), and its site for permission checks.
                """
                CREATE TABLE sync_record (
                    type TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    site TEXT,
                    vals TEXT NOT NULL,
                    versions TEXT NOT NULL,
                    conflicted BOOLEAN NOT NULL,
                    target_type TEXT GENERATED ALWAYS AS
                        (CASE WHEN type = 'resolution' THEN (vals::jsonb) ->> 'recordType' END) STORED,
                    target_entity TEXT GENERATED ALWAYS AS
                        (CASE WHEN type = 'resolution' THEN (vals::jsonb) ->> 'entity' END) STORED,
                    PRIMARY KEY (type, entity)
                )
                """,
                """
                CREATE INDEX sync_record_resolution_target ON sync_record (target_type, target_entity)
                    WHERE target_type IS NOT NULL
                """,
                """
                CREATE TABLE sync_conflict (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    type TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    site TEXT,
                    field TEXT NOT NULL,
                    winner_value TEXT NOT NULL,
                    winner_author TEXT NOT NULL,
                    winner_hlc TEXT NOT NULL,
                    loser_value TEXT NOT NULL,
                    loser_author TEXT NOT NULL,
                    loser_hlc TEXT NOT NULL
                )
                """,
                "CREATE INDEX sync_conflict_record ON sync_conflict (type, entity)",
                """
                CREATE TABLE server_account (
                    name TEXT PRIMARY KEY,
                    role TEXT NOT NULL,
                    sites TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    revoked BOOLEAN NOT NULL DEFAULT false,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
            ]
        ),
        (
            2,
            [
                // `log` names this copy of the change log; `improve-server restored` renews it after a
                // backup is restored, which tells devices to send their changes again (Protocol/README.md section 8.5).
                "CREATE TABLE sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                "INSERT INTO sync_meta (key, value) VALUES ('log', gen_random_uuid()::text)",
            ]
        ),
        (
            3,
            [
                // A revoked account's name may be given to a new account: each account has its own id
                // and a name is unique among accounts that are not revoked. The revoked row stays.
                "ALTER TABLE server_account DROP CONSTRAINT server_account_pkey",
                "ALTER TABLE server_account ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                "CREATE UNIQUE INDEX server_account_active_name ON server_account (name) WHERE NOT revoked",
            ]
        ),
    ]

    /// Brings the database up to the newest version this server knows.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_lock(\(migrationLock))", logger: logger)
        do {
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS improve_schema_migration (
                    version INTEGER PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query(
                "SELECT version FROM improve_schema_migration", logger: logger
            ).decode(Int.self) {
                applied.insert(version)
            }
            if let newest = applied.max(), newest > migrations.last!.version {
                // Migrations only add, so an older server still works on a newer schema: during a
                // rolling upgrade, and after a rollback to the previous binary.
                logger.warning(
                    "the database schema is newer than this server knows; running on it (migrations only add)",
                    metadata: ["found": "\(newest)", "known": "\(migrations.last!.version)"])
            }
            for migration in migrations where !applied.contains(migration.version) {
                try await PostgresTransaction.run(on: connection, logger: logger) { connection in
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO improve_schema_migration (version) VALUES (\(migration.version))", logger: logger)
                }
                logger.info("applied database migration", metadata: ["version": "\(migration.version)"])
            }
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
            throw error
        }
        try await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
    }
}

/// One transaction on one connection: committed when the body returns, rolled back when it
/// throws, and the body's own error passed on unchanged.
enum PostgresTransaction {
    static func run<T>(
        on connection: PostgresConnection, logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        let value: T
        do {
            value = try await body(connection)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        try await connection.query("COMMIT", logger: logger)
        return value
    }
}
