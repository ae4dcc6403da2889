import Foundation
import GRDB
import Synchronization

/// How a store is opened: its replica id, its clock and the local calendar.
public struct StoreOptions: Sendable {
    /// The replica id to use for a new store; nil picks a random one. An existing store keeps its own.
    public var replica: String?
    /// The physical clock the store's hybrid logical clock reads (replaceable so tests can skew it).
    public var clock: PhysicalClock
    /// Offset of local time from UTC, so "today" is the ward's date, not Greenwich's.
    public var utcOffsetSeconds: Int
    /// The account this replica writes as. When set, a local write the account may not make
    /// (`PermissionRules`) is refused with `WriteRefusal` before anything is logged; nil (the
    /// account is not known, or a server's own store) leaves the judgement to the server.
    public var account: AccountScope?

    /// Options with the defaults a device wants: a random replica id for a new store, the system clock, the device's own UTC offset, and no account (the server judges every change).
    public init(
        replica: String? = nil, clock: PhysicalClock = .system, utcOffsetSeconds: Int? = nil,
        account: AccountScope? = nil
    ) {
        self.replica = replica
        self.clock = clock
        self.utcOffsetSeconds = utcOffsetSeconds ?? TimeZone.current.secondsFromGMT()
        self.account = account
    }
}

/// A replica's database: every synced record, the change log, and the conflicts.
///
/// One SQLite file in WAL mode (or memory, for tests). Every write runs in one transaction
/// that also appends its changes to the log, so a crash leaves both or neither.
public final class ImprovementStore: Sendable {
    /// This replica's id, stable for the life of the file.
    public let replica: String
    /// True when the store's files were readable by other users and opening it made them
    /// readable by their owner only (the caller may want to say so).
    public let permissionsTightened: Bool
    package let database: any DatabaseWriter
    let options: StoreOptions
    /// Set by the first `close()`: SQLite must not be called on a closed connection.
    let closed = Mutex(false)

    /// Opens (creating if needed) the store at `path`, or an in-memory store when `path` is nil,
    /// and runs any pending migrations. A new store's files are readable by their owner only
    /// (mode 0600); an existing store that others could read is made so (see `permissionsTightened`).
    public convenience init(path: String?, options: StoreOptions = StoreOptions()) throws {
        try self.init(path: path, options: options, extraMigrations: [], tightenPermissions: true)
    }

    /// Opens the store and also runs `extraMigrations` (the sync server keeps its accounts in the
    /// same file). A new file is created with mode 0600; an existing one is made owner-only when
    /// `tightenPermissions` is set (the server leaves its operator's choice alone).
    package init(
        path: String?, options: StoreOptions, extraMigrations: [ExtraMigration], tightenPermissions: Bool = false
    ) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "ImprovementStore"
        configuration.prepareDatabase { db in
            // 64 MiB of page cache: bulk recording and merging touch many index pages.
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        var migrator = StoreSchema.migrator
        for migration in extraMigrations {
            migrator.registerMigration(migration.identifier, migrate: migration.migrate)
        }
        if let path {
            try StoreOpening.checkPath(path)
            permissionsTightened = tightenPermissions && StoreFileAccess.tighten(path)
            try StoreFileAccess.createPrivately(path)
            do {
                database = try DatabasePool(path: path, configuration: configuration)
                try StoreOpening.checkSchema(database, migrator: migrator, path: path)
                try migrator.migrate(database)
            } catch {
                throw StoreOpening.explain(error, path: path)
            }
        } else {
            permissionsTightened = false
            database = try DatabaseQueue(configuration: configuration)
            try migrator.migrate(database)
        }
        self.options = options
        replica = try database.write { db in
            if let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'replica'") {
                if let requested = options.replica, requested != stored {
                    throw StoreError.replicaMismatch(stored: stored, requested: requested)
                }
                return stored
            }
            let replica = options.replica ?? ReplicaID.random()
            guard ReplicaID.isValid(replica) else {
                throw StoreError.corrupt("replica id \"\(replica)\" must be 1-64 characters of a-z, 0-9 and -")
            }
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('replica', ?)", arguments: [replica])
            return replica
        }
    }

    /// A store that is let go is closed as `close()` closes it, so a device's file is whole once
    /// `improve` exits. A store closed already is left as it is.
    deinit {
        try? close()
    }

    /// Today's date on the device's calendar.
    public var today: Day {
        Day(millisecondsSince1970: options.clock.nowMillis(), utcOffsetSeconds: options.utcOffsetSeconds)
    }

    /// Runs `body` in one write transaction: all its changes land together or not at all.
    @discardableResult
    public func write<T>(author: String, _ body: (StoreWriter) throws -> T) throws -> T {
        try database.write { db in
            let writer = try StoreWriter(db: db, replica: replica, author: author, options: options)
            let result = try body(writer)
            try writer.finish()
            return result
        }
    }

    /// Applies changes received from other replicas, atomically: a bad change rejects the batch.
    @discardableResult
    public func apply(_ changes: [Change]) throws -> ApplyReport {
        try apply(changes, authorize: { _, _ in })
    }

    /// Reads with a consistent snapshot.
    package func read<T>(_ body: (Database) throws -> T) throws -> T {
        try database.read(body)
    }

    /// Direct access for the server's own tables (accounts), in a snapshot read.
    package func readDatabase<T>(_ body: (Database) throws -> T) throws -> T {
        try database.read(body)
    }

    /// Direct access for the server's own tables (accounts), in one write transaction.
    package func writeDatabase<T>(_ body: (Database) throws -> T) throws -> T {
        try database.write(body)
    }

    /// Applies changes from other replicas after `authorize` accepted each of them, in the same
    /// transaction: a refusal of any change leaves the store untouched.
    ///
    /// - Parameter rulesChecked: true when the caller has already run `ChangeRules.check` on
    ///   every change (the server's push route does, to answer in the protocol's order of checks).
    package func apply(
        _ changes: [Change], rulesChecked: Bool = false, authorize: (Change, _ storedSite: String??) throws -> Void
    ) throws -> ApplyReport {
        try database.write { db in
            try apply(changes, in: db, rulesChecked: rulesChecked, authorize: authorize)
        }
    }

    /// The body of `apply`, inside a transaction (or savepoint) the caller holds.
    func apply(
        _ changes: [Change], in db: Database, rulesChecked: Bool,
        authorize: (Change, _ storedSite: String??) throws -> Void
    ) throws -> ApplyReport {
        let writer = try StoreWriter(db: db, replica: replica, author: "", options: options)
        if !rulesChecked {
            for change in changes { try writer.checkRemote(change) }
        }
        let countConflicts = try db.cachedStatement(sql: "SELECT COUNT(*) FROM conflicts")
        let conflictsBefore = try Int.fetchOne(countConflicts) ?? 0
        var report = ApplyReport()
        // Each change is authorised against the store as it stands just before it, so a batch
        // that creates a record and then edits it is judged correctly; a refusal anywhere
        // rolls the whole transaction back.
        for change in changes {
            if try writer.applyRemote(change, authorize: authorize) {
                report.applied.append(change.id)
            } else {
                report.duplicates.append(change.id)
            }
        }
        let conflictsAfter = try Int.fetchOne(countConflicts) ?? 0
        report.conflictsChange = conflictsAfter - conflictsBefore
        try writer.finish()
        return report
    }
}

/// What applying a batch of remote changes did.
public struct ApplyReport: Equatable, Sendable {
    /// Ids of changes applied for the first time.
    public var applied: [String] = []
    /// Ids of changes this replica already had (resent batches); they changed nothing.
    public var duplicates: [String] = []
    /// How many more open conflict records there are than before the batch (may be negative).
    public var conflictsChange: Int = 0
}

/// A migration of tables that are not the store's own, run when the store opens.
package struct ExtraMigration: Sendable {
    package let identifier: String
    package let migrate: @Sendable (Database) throws -> Void

    package init(identifier: String, migrate: @escaping @Sendable (Database) throws -> Void) {
        self.identifier = identifier
        self.migrate = migrate
    }
}
