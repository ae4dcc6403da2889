import CSQLiteTuning
import Foundation
import GRDB
import ImprovementCore

/// The embedded default: the server is one more replica, an `ImprovementStore` in one SQLite
/// file, whose change-log sequence is the server sequence. SQLite has a single writer, so
/// sequence numbers are handed out in commit order and a `seq > cursor` pull never skips a
/// change that commits late.
package final class SQLiteSyncStorage: SyncStorage {
    let store: ImprovementStore
    package let commits: CommitSignal
    /// The log's newest changes, rendered, for the pulls of devices that keep up.
    let recent: RecentChanges
    private let pushes: GroupedWrites<PendingPush, PushOutcome>

    /// - Parameters:
    ///   - recentBytes: how much of the log's newest changes pulls keep rendered (`RecentChanges`;
    ///     nil: its default).
    ///   - whileWriting: runs inside every push (in its savepoint) before its changes are
    ///     applied; tests use it to hold the writer and show that reads do not wait for it.
    package init(
        path: String?, clock: PhysicalClock = .system, recentBytes: Int? = nil,
        whileWriting: (@Sendable () -> Void)? = nil
    ) throws {
        Self.sqliteConfigured
        recent = RecentChanges(maxBytes: recentBytes ?? RecentChanges.defaultMaxBytes)
        let commits = CommitSignal()
        self.commits = commits
        let store = try ImprovementStore(
            path: path, options: StoreOptions(replica: nil, clock: clock, utcOffsetSeconds: 0),
            extraMigrations: [
                Self.accountsMigration, Self.logIDMigration, Self.reusableNamesMigration, Self.changesBySiteMigration,
            ])
        self.store = store
        pushes = GroupedWrites(maxWeight: Self.maxChangesPerGroup) { group in
            Self.apply(group, store: store, commits: commits, whileWriting: whileWriting)
        }
    }

    /// SQLite's process-wide settings, made once, before the server's store opens: memory
    /// statistics off. They take one mutex around every allocation and free in SQLite, and with
    /// the writer and the readers on their threads it was contended some 13,000 times a second
    /// under load (each time a thread put to sleep and woken). Nothing here reads the statistics.
    private static let sqliteConfigured: Void = { _ = improve_sqlite_disable_memory_statistics() }()

    /// Names this copy of the change log (see `renewLogID`); kept in the store's meta table.
    static let logIDMigration = ExtraMigration(identifier: "server-log-id-v1") { db in
        try db.execute(
            sql: "INSERT INTO meta (key, value) VALUES ('log_id', ?)", arguments: [SQLiteSyncStorage.newLogID()])
    }

    private static func newLogID() -> String { UUID().uuidString.lowercased() }

    static let accountsMigration = ExtraMigration(identifier: "server-accounts-v1") { db in
        try db.execute(
            sql: """
                CREATE TABLE server_account (
                    name TEXT PRIMARY KEY,
                    role TEXT NOT NULL,
                    sites TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    revoked INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL
                ) WITHOUT ROWID
                """)
    }

    package func push(_ changes: [Change], by account: Account) async throws -> PushOutcome {
        try await pushes.submit(PendingPush(changes: changes, account: account), weight: changes.count)
    }

    /// A push waiting for the writer.
    struct PendingPush: Sendable {
        var changes: [Change]
        var account: Account
    }

    /// A group takes pushes of up to this many changes between them (one push of the largest
    /// batch allowed may still go alone).
    ///
    /// A group's pushes are answered together, and a device pulls as soon as its push is answered:
    /// every group sends its devices' pulls in at once. Groups of up to 5,000 changes (some 450
    /// pushes) sent bursts that the last pulls waited 100 ms for; 300 (some 28 pushes) still
    /// shares each commit widely and halves the pulls' median wait (README, Benchmarks).
    static let maxChangesPerGroup = 300

    /// How many transactions pushes have committed (each holding one or more pushes).
    package var pushTransactions: Int { pushes.groups }

    /// How many pushes wait for the writer now.
    package var pushesWaiting: Int { pushes.waiting }

    /// Applies the pushes of one group in one transaction, each in a savepoint: each push is
    /// still accepted whole or refused whole, and sees the pushes before it in the group.
    private static func apply(
        _ group: [PendingPush], store: ImprovementStore, commits: CommitSignal,
        whileWriting: (@Sendable () -> Void)?
    ) -> [Result<PushOutcome, any Error>] {
        let results = store.writeGrouped(group.count) { index, session in
            let push = group[index]
            // A resolution and the values it restores are accepted together (DecisionGroup); the
            // log only grows, so what it held before this push it still holds in it.
            let inBatch = DecisionGroup.carried(by: push.changes)
            let accepted = try session.loggedResolutions(among: DecisionGroup.namedOutsideBatch(push.changes))
            // The push route has checked every change against ChangeRules before calling push.
            var first = true
            let report = try session.apply(push.changes, rulesChecked: true) { change, storedSite in
                if first {
                    first = false
                    whileWriting?()
                }
                try PushPermissions.check(change, account: push.account, storedSite: storedSite)
                if let refusal = DecisionGroup.refusal(of: change, in: inBatch, accepted: accepted) {
                    throw SyncStorageError.forbidden(changeID: change.id, message: refusal)
                }
            }
            return PushOutcome(
                accepted: report.applied.count, duplicates: report.duplicates.count,
                conflicts: max(0, report.conflictsChange), cursor: try session.lastSequence(),
                log: try session.read(Self.logID))
        }
        var committedSites: Set<String?> = []
        for (push, result) in zip(group, results) {
            if case .success(let outcome) = result, outcome.accepted > 0 {
                committedSites.formUnion(push.changes.map(\.site))
            }
        }
        if !committedSites.isEmpty { commits.notify(.sites(committedSites)) }
        return results
    }

    package func pull(after cursor: Int64, limit: Int, for account: Account) async throws -> PullPage {
        try await BlockingWork.read { [store, recent] in
            try store.readDatabase { db in
                try Self.page(db, after: cursor, limit: limit, for: account, recent: recent)
            }
        }
    }

    package func pull(
        after cursor: Int64, limit: Int, tokenHash: String
    ) async throws -> (
        account: Account, page: PullPage
    )? {
        // A device that keeps up is answered from `recent` right here: a few lookups in pages
        // every pull keeps in memory, and the page copied from memory. A WAL reader never waits
        // for the writer, so this takes tens of microseconds, and each hop to the read queue
        // and back waited behind the whole burst of work that follows a group commit (pull
        // p99 57 -> 37 ms, 200 devices). Pulls that must read the log (a device catching up,
        // up to a thousand changes) go to the read queue.
        if recent.covers(cursor) {
            // nil: the log must be read; .some(nil): no live account.
            let answered: (account: Account, page: PullPage)?? = try store.readDatabase { db in
                guard let account = try Self.account(db, tokenHash: tokenHash), !account.revoked else {
                    return .some(nil)
                }
                let page = try Self.page(
                    db, after: cursor, limit: limit, for: account, recent: recent, readingTheLog: false)
                return page.map { (account, $0) }
            }
            if let answered { return answered }
        }
        return try await BlockingWork.read { [store, recent] in
            try store.readDatabase { db in
                guard let account = try Self.account(db, tokenHash: tokenHash), !account.revoked else { return nil }
                return (account, try Self.page(db, after: cursor, limit: limit, for: account, recent: recent))
            }
        }
    }

    package func lastSequence() async throws -> Int64 {
        try await BlockingWork.read { [store] in try store.lastSequence() }
    }

    package func logID() async throws -> String {
        try await BlockingWork.read { [store] in try store.readDatabase(Self.logID) }
    }

    static func logID(_ db: Database) throws -> String {
        guard let id = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'log_id'"))
        else {
            throw StoreError.corrupt("the change log has no id")
        }
        return id
    }

    package func renewLogID() async throws -> String {
        let id = try await BlockingWork.write { [store] in
            try store.writeDatabase { db in
                let id = Self.newLogID()
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'log_id'", arguments: [id])
                return id
            }
        }
        // Waiting pulls answer at once with the new log id.
        commits.notify(.everything)
        return id
    }

    package func account(tokenHash: String) async throws -> Account? {
        try await BlockingWork.read { [store] in
            try store.readDatabase { db in try Self.account(db, tokenHash: tokenHash) }
        }
    }

    private static func account(_ db: Database, tokenHash: String) throws -> Account? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT name, role, sites, revoked FROM server_account WHERE token_hash = ?"),
            arguments: [tokenHash]
        ).map(Self.account(from:))
    }

    // Account administration runs on the caller's thread, as one-shot commands use it: work on the
    // write queue would keep the store alive past the command's end, and a store not closed before
    // the process exits leaves its last writes in the WAL file (which a plain copy of the database
    // file, say a backup, then lacks).

    package func addAccount(_ account: Account, tokenHash: String) async throws {
        try store.writeDatabase { db in
            if try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM server_account WHERE name = ? AND revoked = 0)",
                arguments: [account.name]) == true
            {
                throw SyncStorageError.accountExists(account.name)
            }
            try db.execute(
                sql:
                    "INSERT INTO server_account (name, role, sites, token_hash, revoked, created_at) VALUES (?, ?, ?, ?, 0, strftime('%s','now'))",
                arguments: [
                    account.name, account.role.rawValue, account.sites.sorted().joined(separator: ","), tokenHash,
                ])
        }
    }

    package func revokeAccount(name: String) async throws -> Bool {
        let found = try store.writeDatabase { db in
            try db.execute(sql: "UPDATE server_account SET revoked = 1 WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
        // The account's waiting pulls look at their token again, and are refused.
        if found { commits.notify(.everything) }
        return found
    }

    package func accounts() async throws -> [Account] {
        try store.readDatabase { db in
            try Row.fetchAll(db, sql: "SELECT name, role, sites, revoked FROM server_account ORDER BY name, id")
                .map(Self.account(from:))
        }
    }

    private static func account(from row: Row) -> Account {
        let sites: String = row[2]
        return Account(
            name: row[0], role: Role(rawValue: row[1]) ?? .viewer,
            sites: Set(sites.split(separator: ",").map(String.init)), revoked: (row[3] as Int64) != 0)
    }
}
