import GRDB

/// Rebuilds a record and its conflicts from its whole change history, for merges that cannot
/// simply extend the stored state (out-of-order arrivals, deletions, conflicts, re-stamping).
enum RecordDerivation {
    static func rederive(
        _ db: Database, statements: StatementCache, type: EntityType, table: RecordTable, id: String
    )
        throws
    {
        var history: [EntityWrite] = []
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT id, hlc, author, fields, base FROM changes WHERE type = ? AND entity = ?"),
            arguments: [type.name, id])
        while let row = try rows.next() {
            let changeID: String = row[0]
            guard let hlc = HLC(row[1] as String) else { throw StoreError.corrupt("clock of change \(changeID)") }
            do {
                history.append(
                    EntityWrite(
                        changeID: changeID, hlc: hlc, author: row[2],
                        fields: try CanonicalJSON.decodeFields(row[3]), base: try CanonicalJSON.decodeBase(row[4])))
            } catch {
                throw StoreError.corrupt("fields of change \(changeID)")
            }
        }
        let derived = EntityMerge.derive(type: type.name, entity: id, site: nil, history: history)
        let site = type.site(id: id, fields: derived.state.values)
        try table.save(statements, id: id, state: derived.state)
        try db.cachedStatement(sql: "DELETE FROM conflicts WHERE type = ? AND entity = ?")
            .execute(arguments: [type.name, id])
        for var conflict in derived.conflicts {
            conflict.site = site
            try ConflictQueries.insert(db, conflict)
        }
    }

    /// Derives every record of `types` again from the change log: used when a migration adds the
    /// columns of fields that changes received earlier already carried.
    static func rederiveAll(_ db: Database, types: [EntityType]) throws {
        let statements = StatementCache(db)
        for type in types {
            // A type this version declares has its table cached; one a migration is adding is built here.
            let table = RecordTable.all[type.name] ?? RecordTable(type)
            let ids = try String.fetchAll(
                db, sql: "SELECT DISTINCT entity FROM changes WHERE type = ? ORDER BY entity", arguments: [type.name])
            for id in ids { try rederive(db, statements: statements, type: type, table: table, id: id) }
        }
    }
}
