import GRDB

/// Groups the stored field conflicts into one entry per record, with both versions whole.
enum RecordConflictQueries {
    /// Open entries (with `includeResolved`, settled ones too), in the order their first loser was written.
    static func list(_ db: Database, includeResolved: Bool) throws -> [RecordConflict] {
        struct Key: Hashable {
            var type: String
            var entity: String
            var resolved: Bool
        }
        var order: [Key] = []
        var groups: [Key: [Conflict]] = [:]
        for conflict in try ConflictQueries.list(db, includeResolved: includeResolved) {
            // Stores written before bookkeeping fields were declared may still hold such conflicts.
            if EntityType.named(conflict.type)?.bookkeeping.contains(conflict.field) == true { continue }
            let key = Key(type: conflict.type, entity: conflict.entity, resolved: conflict.isResolved)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(conflict)
        }
        let statements = StatementCache(db)
        return try order.map { key in try entry(db, statements: statements, conflicts: groups[key]!) }
    }

    /// The entry `selector` names (its id, its record's id, or a field conflict's id), open ones first.
    static func find(_ db: Database, selector: String) throws -> RecordConflict? {
        if let open = try list(db, includeResolved: false).first(where: { $0.isNamed(by: selector) }) { return open }
        return try list(db, includeResolved: true).first { $0.isNamed(by: selector) }
    }

    private static func entry(
        _ db: Database, statements: StatementCache, conflicts unordered: [Conflict]
    ) throws
        -> RecordConflict
    {
        let conflicts = unordered.sorted { ($0.field, $0.loser.hlc) < ($1.field, $1.loser.hlc) }
        let first = conflicts[0]
        let type = EntityType.named(first.type)
        let current = try type.flatMap { RecordTable.all[$0.name] }?.load(statements, id: first.entity)
        var shared = current?.values ?? [:]
        shared[EntityType.deletedField] = nil
        let isDelete = conflicts.contains { $0.kind == .delete }

        func version(winning: Bool) throws -> RecordConflict.Version {
            var values = shared
            // Oldest first, so with three versions of a field the newest losing one is shown.
            let sides = conflicts.map { (conflict: $0, side: winning ? $0.winner : $0.loser) }.sorted {
                $0.side.hlc < $1.side.hlc
            }
            for (conflict, side) in sides where !(winning && conflict.kind == .delete) {
                values[conflict.field] = side.value
            }
            let newest = sides[sides.count - 1].side
            // Who recorded the values is this side's own: its write says.
            if let type, !type.bookkeeping.isEmpty,
                let written = try fields(db, type: type, entity: first.entity, hlc: newest.hlc)
            {
                for field in type.bookkeeping { if let value = written[field] { values[field] = value } }
            }
            let deleted = winning ? (isDelete || current?.isDeleted == true) : (!isDelete && current?.isDeleted == true)
            return RecordConflict.Version(
                values: values, deleted: deleted, author: newest.author, replica: newest.replica, hlc: newest.hlc)
        }

        let winner = try version(winning: true)
        let loser = try version(winning: false)
        let conflicting = Set(conflicts.map(\.field))
        let agreed = (type?.fieldNames ?? []).filter { field in
            !conflicting.contains(field) && type?.immutable.contains(field) != true
                && type?.bookkeeping.contains(field) != true && winner.values[field] == loser.values[field]
        }
        let resolution =
            conflicts.allSatisfy(\.isResolved) ? conflicts.max { $0.loser.hlc < $1.loser.hlc }?.resolution : nil
        return RecordConflict(
            id: RecordConflict.id(type: first.type, entity: first.entity, conflictIDs: conflicts.map(\.id)),
            kind: isDelete ? .delete : .edit, type: first.type, entity: first.entity,
            site: conflicts.lazy.compactMap(\.site).first, conflicts: conflicts, winner: winner, loser: loser,
            agreed: agreed, resolution: resolution)
    }

    /// The fields one logged write of a record wrote, found by its clock stamp (unique per change).
    private static func fields(_ db: Database, type: EntityType, entity: String, hlc: HLC) throws -> FieldMap? {
        guard
            let json = try String.fetchOne(
                db.cachedStatement(sql: "SELECT fields FROM changes WHERE type = ? AND entity = ? AND hlc = ?"),
                arguments: [type.name, entity, hlc.description])
        else { return nil }
        do {
            return try CanonicalJSON.decodeFields(json)
        } catch {
            throw StoreError.corrupt("fields of a change of \(type.name) \(entity)")
        }
    }
}
