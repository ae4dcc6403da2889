import Foundation
import GRDB

/// A change of this device that the server refused, set aside so the rest can still be sent.
public struct HeldChange: Sendable, Equatable {
    /// The refused change, as it stays in the log.
    public var change: Change
    /// The server's error code (`forbidden`, `invalid_change`).
    public var code: String
    /// The server's explanation.
    public var reason: String
}

extension ImprovementStore {
    /// Sets one of this device's pending changes aside after the server refused it. It stays in
    /// the log (nothing is lost) but is no longer pushed until released.
    public func holdChange(id: String, code: String, reason: String) throws {
        try database.write { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM changes WHERE id = ? AND replica = ?)",
                    arguments: [id, replica]) == true
            else { throw StoreError.notFound(type: "change of this device", id: id) }
            try db.execute(
                sql: "INSERT OR REPLACE INTO held_change (id, code, reason, held_at) VALUES (?, ?, ?, ?)",
                arguments: [id, code, reason, Int64(Date().timeIntervalSince1970)])
        }
    }

    /// Changes set aside after a refusal, oldest first.
    public func heldChanges() throws -> [HeldChange] {
        try read { db in
            let reasons = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, code, reason FROM held_change").map {
                    ($0[0] as String, ($0[1] as String, $0[2] as String))
                })
            guard !reasons.isEmpty else { return [] }
            return try ChangeLog.fetch(db, where: "id IN (SELECT id FROM held_change) ORDER BY seq", arguments: [])
                .map { logged in
                    let (code, reason) = reasons[logged.change.id] ?? ("", "")
                    return HeldChange(change: logged.change, code: code, reason: reason)
                }
        }
    }

    /// Puts a held change back in the queue. Changes pushed after it are queued again too: the
    /// server answers them as duplicates, so nothing is applied twice.
    public func releaseHeldChange(id: String) throws {
        try database.write { db in
            guard
                let seq = try Int64.fetchOne(
                    db, sql: "SELECT seq FROM changes WHERE id = ? AND id IN (SELECT id FROM held_change)",
                    arguments: [id])
            else { throw StoreError.notFound(type: "held change", id: id) }
            try db.execute(sql: "DELETE FROM held_change WHERE id = ?", arguments: [id])
            let pushed =
                try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'pushed_through'").flatMap {
                    Int64($0)
                } ?? 0
            if pushed >= seq {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('pushed_through', ?)",
                    arguments: [String(seq - 1)])
            }
        }
    }
}

/// What discarding a held change undid on this device.
public struct DiscardedChange: Sendable, Equatable {
    /// One field the discarded change wrote: the record's value before and after the discard
    /// (nil when the record has no such value: it is gone, or was never written).
    public struct FieldUndo: Sendable, Equatable {
        /// The field's name.
        public var field: String
        /// The value before the discard.
        public var before: FieldValue?
        /// The value after it.
        public var after: FieldValue?

        /// One field's undo.
        public init(field: String, before: FieldValue?, after: FieldValue?) {
            self.field = field
            self.before = before
            self.after = after
        }
    }

    /// The change discarded.
    public var change: Change
    /// The fields the change wrote, in name order.
    public var fields: [FieldUndo]
    /// True when the change was the only one that wrote its record: the record is gone from this device.
    public var recordRemoved: Bool
}

extension ImprovementStore {
    /// Removes a held (refused) change from the log and undoes its effect here: its record is
    /// derived again from the changes that remain (the merge is a function of that set), with its
    /// conflicts; a record no other change wrote disappears. One transaction.
    public func discardHeldChange(id: String) throws -> DiscardedChange {
        try database.write { db in try Self.discardHeld(db, id: id) }
    }

    /// Discards every held change, oldest first, in one transaction.
    public func discardAllHeldChanges() throws -> [DiscardedChange] {
        try database.write { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM changes WHERE id IN (SELECT id FROM held_change) ORDER BY seq")
            return try ids.map { try Self.discardHeld(db, id: $0) }
        }
    }

    private static func discardHeld(_ db: Database, id: String) throws -> DiscardedChange {
        guard
            let change = try ChangeLog.fetch(
                db, where: "id = ? AND id IN (SELECT id FROM held_change)", arguments: [id]
            ).first?.change
        else {
            throw StoreError.notFound(type: "held change", id: id)
        }
        try db.execute(sql: "DELETE FROM changes WHERE id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM held_change WHERE id = ?", arguments: [id])
        // A type this version does not know has no record here: removing it from the log is all.
        guard let type = EntityType.named(change.type), let table = RecordTable.all[type.name] else {
            return DiscardedChange(change: change, fields: [], recordRemoved: false)
        }
        let statements = StatementCache(db)
        let before = try table.load(statements, id: change.entity)
        let remaining = try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM changes WHERE type = ? AND entity = ?",
            arguments: [type.name, change.entity])
        var after: EntityState?
        if remaining == 0 {
            try db.execute(sql: "DELETE FROM \(type.table) WHERE id = ?", arguments: [change.entity])
            try db.execute(
                sql: "DELETE FROM conflicts WHERE type = ? AND entity = ?", arguments: [type.name, change.entity])
        } else {
            try RecordDerivation.rederive(db, statements: statements, type: type, table: table, id: change.entity)
            after = try table.load(statements, id: change.entity)
        }
        let fields = change.fields.keys.sorted().map { field in
            DiscardedChange.FieldUndo(field: field, before: before?.values[field], after: after?.values[field])
        }
        return DiscardedChange(change: change, fields: fields, recordRemoved: remaining == 0)
    }
}
