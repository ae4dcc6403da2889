import GRDB

/// Reading the change log: what sync pushes and pulls.
enum ChangeLog {
    static func fetch(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [LoggedChange] {
        let rows = try Row.fetchCursor(
            db,
            sql:
                "SELECT seq, id, replica, type, entity, site, hlc, author, fields, base FROM changes WHERE \(condition)",
            arguments: arguments)
        var result: [LoggedChange] = []
        while let row = try rows.next() {
            let id: String = row[1]
            guard let hlc = HLC(row[6] as String) else { throw StoreError.corrupt("clock of change \(id)") }
            let fields: FieldMap
            let base: [String: HLC?]
            do {
                fields = try CanonicalJSON.decodeFields(row[8])
                base = try CanonicalJSON.decodeBase(row[9])
            } catch {
                throw StoreError.corrupt("fields of change \(id)")
            }
            result.append(
                LoggedChange(
                    seq: row[0],
                    change: Change(
                        id: id, replica: row[2], type: row[3], entity: row[4], site: row[5], hlc: hlc, author: row[7],
                        fields: fields, base: base)))
        }
        return result
    }
}

extension ImprovementStore {
    /// Changes logged after local sequence `seq`, oldest first, at most `limit` of them.
    public func changes(after seq: Int64, limit: Int = 1000) throws -> [LoggedChange] {
        try read { db in
            try ChangeLog.fetch(db, where: "seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit])
        }
    }

    /// This replica's own changes that no server has acknowledged yet, oldest first.
    public func pendingChanges(limit: Int = 1000) throws -> [LoggedChange] {
        try read { db in
            let pushed = try Self.pushedThrough(db)
            return try ChangeLog.fetch(
                db, where: "seq > ? AND replica = ? AND \(Self.notHeld) ORDER BY seq LIMIT ?",
                arguments: [pushed, replica, limit])
        }
    }

    /// How many of this replica's changes wait to be pushed.
    public func pendingCount() throws -> Int {
        try read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM changes WHERE seq > ? AND replica = ? AND \(Self.notHeld)",
                arguments: [try Self.pushedThrough(db), replica]) ?? 0
        }
    }

    /// SQL condition: the change has not been set aside after a refusal.
    static let notHeld = "id NOT IN (SELECT id FROM held_change)"

    /// Records that a server acknowledged every pending change up to and including `seq`.
    public func markPushed(through seq: Int64) throws {
        try database.write { db in
            let current = try Self.pushedThrough(db)
            guard seq > current else { return }
            try db.execute(
                sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('pushed_through', ?)", arguments: [String(seq)])
        }
    }

    /// The highest sequence number in the log (0 when empty).
    public func lastSequence() throws -> Int64 {
        try read { db in try Self.lastSequence(db) }
    }

    /// The highest sequence number in the log as `db` sees it (0 when empty).
    package static func lastSequence(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM changes")) ?? 0
    }

    private static func pushedThrough(_ db: Database) throws -> Int64 {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'pushed_through'").flatMap { Int64($0) } ?? 0
    }
}

extension ImprovementStore {
    /// The server sequence number this replica has pulled through (0 before the first pull).
    public func pullCursor() throws -> Int64 {
        try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'pull_cursor'").flatMap { Int64($0) } ?? 0
        }
    }

    /// Applies a pulled page and records its cursor in the same transaction, so an interrupted
    /// pull resumes from the last page that fully landed.
    public func applyPulled(_ changes: [Change], cursor: Int64) throws {
        try database.write { db in
            let writer = try StoreWriter(db: db, replica: replica, author: "", options: options)
            for change in changes { try writer.checkRemote(change) }
            for change in changes { try writer.apply(change) }
            try writer.finish()
            try db.execute(
                sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('pull_cursor', ?)", arguments: [String(cursor)])
        }
    }
}

extension ImprovementStore {
    /// Notes the change-log id a server answered with (Protocol/README.md section 8.5). Returns true when
    /// it differs from the id noted before: the server's log is then not the one this device
    /// synced with (restored from a backup, say), so every change this device made counts as
    /// unsent again and the next pull starts from the beginning, in one transaction. Resending
    /// is safe: the server counts the changes it still holds as duplicates.
    public func noteServerLog(_ id: String) throws -> Bool {
        // Called with every answer: the usual case, the same id, only reads.
        let noted = "SELECT value FROM meta WHERE key = 'server_log'"
        guard try read({ db in try String.fetchOne(db, sql: noted) }) != id else { return false }
        return try database.write { db in
            let known = try String.fetchOne(db, sql: noted)
            guard known != id else { return false }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('server_log', ?)", arguments: [id])
            guard known != nil else { return false }
            try db.execute(sql: "DELETE FROM meta WHERE key IN ('pushed_through', 'pull_cursor')")
            return true
        }
    }
}
