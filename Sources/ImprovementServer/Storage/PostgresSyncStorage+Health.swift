import ImprovementCore
import PostgresNIO

extension PostgresSyncStorage {
    package func heartbeat() async throws {
        try await client.query(
            """
            INSERT INTO sync_meta (key, value) VALUES ('heartbeat', now()::text)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
            """)
    }

    /// The database is on its own server: its disk is the database administrator's to watch.
    package var localFolder: String? { nil }
}
