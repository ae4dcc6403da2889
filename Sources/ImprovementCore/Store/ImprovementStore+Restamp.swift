import GRDB

/// What `restampPendingChanges(stampedAfter:)` did.
public struct RestampReport: Equatable, Sendable {
    /// How many pending changes received a new id and stamp.
    public var restamped = 0
    /// Old change id → new change id.
    public var renamedIDs: [String: String] = [:]
    /// The stored clock state afterwards (nil when nothing was re-stamped).
    public var clock: HLC?

    /// A report of nothing done.
    public init() {}
}

extension ImprovementStore {
    /// Re-stamps this replica's never-acknowledged changes whose clock is ahead of `millis`
    /// (Protocol/README.md section 12.4), once the device clock has been corrected.
    ///
    /// The server refuses changes stamped too far in the future (`clock_skew`); those changes stay
    /// queued. Because no server ever accepted them, no other replica has seen them, so they can
    /// be given new stamps without anyone noticing. In one transaction:
    ///
    /// 1. `S` = this replica's pending changes (after `pushed_through`) stamped after `millis`.
    ///    Local stamps only grow, so `S` is the tail of the device's own pending log.
    /// 2. The clock restarts from the highest stamp among every *other* change the store holds.
    /// 3. Each change of `S`, in log order, gets a **new change id** (a fresh UUID v4: the protocol
    ///    never reuses an id for different content, and a server that somehow stored the old id
    ///    must not mistake the re-stamped change for a duplicate) and a new stamp from `tick()`
    ///    on the current physical clock; later changes of `S` that name an old stamp in their
    ///    `base` are updated to the new one. The log position (`seq`) is kept, so the push order
    ///    and the `pushed_through` bookkeeping stay valid.
    /// 4. The records these changes touch are re-derived from their history, which rewrites
    ///    their `versions` column and their conflict records (conflict ids include the losing
    ///    stamp); the clock state (`meta` key `clock`) is stored.
    ///
    /// Call it only when the device clock is right again: stamps come from the store's
    /// `PhysicalClock`, so a clock that is still ahead produces stamps that are still ahead.
    /// A pending `resolution` that names one of the re-stamped changes' old stamps keeps its
    /// old text (resolutions of one's own fresh, unsent conflicts are not expected).
    @discardableResult
    public func restampPendingChanges(stampedAfter millis: Int64) throws -> RestampReport {
        // Stamps start with 16 zero-padded digits of milliseconds, so "stamped after `millis`"
        // is "text >= the 16 digits of millis + 1": string order is clock order.
        let floor = String(HLC(millis: millis + 1, counter: 0, replica: replica).description.prefix(16))
        return try database.write { db in
            let pushedText = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'pushed_through'")
            let pushed = pushedText.flatMap { Int64($0) } ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, id, type, entity, hlc, base FROM changes
                    WHERE replica = ? AND seq > ? AND hlc >= ? ORDER BY seq
                    """,
                arguments: [replica, pushed, floor])
            var report = RestampReport()
            guard !rows.isEmpty else { return report }

            let highestOther = try String.fetchOne(
                db, sql: "SELECT MAX(hlc) FROM changes WHERE NOT (replica = ? AND seq > ? AND hlc >= ?)",
                arguments: [replica, pushed, floor]
            ).flatMap(HLC.init)
            var clock = HLCGenerator(replica: replica, last: highestOther, physical: options.clock)
            var renamed: [HLC: HLC] = [:]
            var touched: [(type: String, entity: String)] = []
            var seenEntities: Set<String> = []
            let update = try db.cachedStatement(sql: "UPDATE changes SET id = ?, hlc = ?, base = ? WHERE seq = ?")
            for row in rows {
                let seq: Int64 = row[0]
                let oldID: String = row[1]
                let type: String = row[2]
                let entity: String = row[3]
                guard let old = HLC(row[4] as String) else { throw StoreError.corrupt("clock of change \(oldID)") }
                var base: [String: HLC?]
                do {
                    base = try CanonicalJSON.decodeBase(row[5])
                } catch {
                    throw StoreError.corrupt("base of change \(oldID)")
                }
                for (field, version) in base {
                    if let version, let replacement = renamed[version] { base[field] = .some(replacement) }
                }
                let stamp = clock.tick()
                renamed[old] = stamp
                let newID = ChangeID.random(millis: stamp.millis)
                try update.execute(arguments: [newID, stamp.description, CanonicalJSON.object(base), seq])
                report.renamedIDs[oldID] = newID
                if seenEntities.insert(type + "\u{0}" + entity).inserted { touched.append((type, entity)) }
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('clock', ?)",
                arguments: [clock.last.description])
            let statements = StatementCache(db)
            for (typeName, entity) in touched {
                guard let type = EntityType.named(typeName), let table = RecordTable.all[type.name] else { continue }
                try Self.rederive(db, statements: statements, type: type, table: table, id: entity)
            }
            report.restamped = rows.count
            report.clock = clock.last
            return report
        }
    }

    /// Recomputes one record and its conflicts from its whole history (what `StoreWriter` does
    /// after a merge that cannot fast-forward).
    private static func rederive(
        _ db: Database, statements: StatementCache, type: EntityType, table: RecordTable, id: String
    ) throws {
        try RecordDerivation.rederive(db, statements: statements, type: type, table: table, id: id)
    }
}
