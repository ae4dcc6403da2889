import GRDB

/// The store's schema, as versioned migrations.
///
/// A migration never changes once shipped: add a new one instead. Table and column names are
/// written out here as strings so no rename in Swift code can change the file format.
enum StoreSchema {
    /// The store format this release reads and writes. Migrations that only add leave it alone (an
    /// older release keeps working on the file, so a rollback is safe); one that older releases
    /// must not use raises it and writes `format_required` into `meta` (see `StoreOpening`).
    static let format = 1

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2-held-changes") { db in
            // Changes the server refused (403/422) are set aside here so they stop blocking the
            // queue; they stay in the log and can be released once the cause is fixed.
            try db.execute(
                sql: """
                    CREATE TABLE held_change (
                        id TEXT PRIMARY KEY, code TEXT NOT NULL, reason TEXT NOT NULL, held_at INTEGER NOT NULL
                    ) WITHOUT ROWID
                    """)
        }
        migrator.registerMigration("v3-expression-and-exclusions") { db in
            // How a measure's values are expressed (per 1,000, %), whether it may go below zero,
            // and annotations that take a special-cause point out of the limits.
            try db.execute(
                sql: """
                    ALTER TABLE measure ADD COLUMN multiplier REAL;
                    ALTER TABLE measure ADD COLUMN expressed_as TEXT;
                    ALTER TABLE measure ADD COLUMN allow_negative INTEGER;
                    ALTER TABLE annotation ADD COLUMN excludes_point INTEGER;
                    """)
            // A newer device may already have sent these fields: the change log holds them, so the
            // records are derived again from it rather than left without the new columns.
            try RecordDerivation.rederiveAll(db, types: [.measure, .annotation])
        }
        migrator.registerMigration("v4-driver-measures") { db in
            // The measures linked to a driver-diagram node (ids separated by commas).
            try db.execute(sql: "ALTER TABLE driver ADD COLUMN measures TEXT")
            try RecordDerivation.rederiveAll(db, types: [.driver])
        }
        return migrator
    }

    /// Record tables share four columns: `id`, `deleted`, `versions` (JSON: field → HLC of the
    /// write that set it) and one column per field. They are WITHOUT ROWID tables keyed by id,
    /// which keeps observations clustered by measure, unit and period (their id's prefix order).
    private static let v1 = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            replica TEXT NOT NULL,
            type TEXT NOT NULL,
            entity TEXT NOT NULL,
            site TEXT,
            hlc TEXT NOT NULL,
            author TEXT NOT NULL,
            fields TEXT NOT NULL,
            base TEXT NOT NULL
        );
        CREATE INDEX changes_by_entity ON changes (type, entity);

        CREATE TABLE conflicts (
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
        ) WITHOUT ROWID;
        CREATE INDEX conflicts_by_entity ON conflicts (type, entity);

        CREATE TABLE site (
            id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, versions TEXT NOT NULL,
            name TEXT
        ) WITHOUT ROWID;

        CREATE TABLE unit (
            id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, versions TEXT NOT NULL,
            site TEXT, name TEXT, kind TEXT
        ) WITHOUT ROWID;
        CREATE INDEX unit_by_site ON unit (site);

        CREATE TABLE programme (
            id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, versions TEXT NOT NULL,
            name TEXT, aim TEXT, start TEXT, "end" TEXT, status TEXT, owner TEXT
        ) WITHOUT ROWID;

        CREATE TABLE driver (
            id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, versions TEXT NOT NULL,
            programme TEXT, kind TEXT, text TEXT, parent TEXT
        ) WITHOUT ROWID;

        CREATE TABLE measure (
            id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, versions TEXT NOT NULL,
            programme TEXT, name TEXT, type TEXT, chart TEXT, frequency TEXT, direction TEXT, target REAL,
            numerator_definition TEXT, denominator_definition TEXT, inclusions TEXT, exclusions TEXT,
            data_source TEXT, sampling_plan TEXT, owner TEXT
        ) WITHOUT ROWID;

        CREATE TABLE observation (
            id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, versions TEXT NOT NULL,
            measure TEXT, unit TEXT, site TEXT, period TEXT, numerator REAL, denominator REAL, value REAL,
            note TEXT, recorded_by TEXT
        ) WITHOUT ROWID;

        CREATE TABLE annotation (
            id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, versions TEXT NOT NULL,
            measure TEXT, site TEXT, unit TEXT, date TEXT, text TEXT, starts_phase INTEGER
        ) WITHOUT ROWID;

        CREATE TABLE pdsa (
            id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, versions TEXT NOT NULL,
            change_idea TEXT, site TEXT, unit TEXT, title TEXT, plan TEXT, prediction TEXT, do_notes TEXT,
            study TEXT, act TEXT, start TEXT, "end" TEXT, owner TEXT, previous TEXT
        ) WITHOUT ROWID;

        CREATE TABLE story (
            id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, versions TEXT NOT NULL,
            kind TEXT, site TEXT, unit TEXT, measure TEXT, date TEXT, title TEXT, text TEXT
        ) WITHOUT ROWID;

        CREATE TABLE resolution (
            id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0, versions TEXT NOT NULL,
            site TEXT, keep TEXT, kind TEXT, record_type TEXT, entity TEXT, field TEXT, loser_value TEXT, loser_author TEXT,
            loser_hlc TEXT, winner_value TEXT, winner_author TEXT, winner_hlc TEXT
        ) WITHOUT ROWID;
        """
}
