import Foundation
import GRDB

/// A change of this device that the server refused, set aside so the rest can still be sent.
public struct HeldChange: Sendable, Equatable {
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
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM changes WHERE id = ? AND replica = ?)",
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
            guard let seq = try Int64.fetchOne(
                db, sql: "SELECT seq FROM changes WHERE id = ? AND id IN (SELECT id FROM held_change)", arguments: [id])
            else { throw StoreError.notFound(type: "held change", id: id) }
            try db.execute(sql: "DELETE FROM held_change WHERE id = ?", arguments: [id])
            let pushed = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'pushed_through'").flatMap { Int64($0) } ?? 0
            if pushed >= seq {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('pushed_through', ?)", arguments: [String(seq - 1)])
            }
        }
    }
}
