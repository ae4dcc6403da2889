import GRDB
import ImprovementCore

extension SQLiteSyncStorage {
    /// Lets a revoked account's name be given to a new account: each account gets its own id, and
    /// a name is unique only among accounts that are not revoked. The revoked row stays as it was
    /// (its id, role, sites and creation time), so what it did remains its own.
    ///
    /// SQLite cannot drop a primary key, so the table is rebuilt under the same name with the same
    /// columns plus `id`; an older server still reads and writes it.
    static let reusableNamesMigration = ExtraMigration(identifier: "server-accounts-v2-reusable-names") { db in
        try db.execute(
            sql: """
                CREATE TABLE server_account_v2 (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    sites TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    revoked INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL
                );
                INSERT INTO server_account_v2 (name, role, sites, token_hash, revoked, created_at)
                    SELECT name, role, sites, token_hash, revoked, created_at FROM server_account ORDER BY created_at, name;
                DROP TABLE server_account;
                ALTER TABLE server_account_v2 RENAME TO server_account;
                CREATE UNIQUE INDEX server_account_active_name ON server_account (name) WHERE revoked = 0;
                """)
    }
}
