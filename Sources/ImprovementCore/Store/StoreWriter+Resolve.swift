/// Settling conflicts: one decision per record, written in one transaction.
extension StoreWriter {
    /// Open conflicts, one entry per record (with `includeResolved`, settled ones too).
    public func recordConflicts(includeResolved: Bool = false) throws -> [RecordConflict] {
        try RecordConflictQueries.list(db, includeResolved: includeResolved)
    }

    /// The entry `selector` names: its id, its record's id, or the id of one of its field conflicts.
    public func recordConflict(named selector: String) throws -> RecordConflict? {
        try RecordConflictQueries.find(db, selector: selector)
    }

    /// Settles a record's open conflicts by keeping one side's version of every conflicting field
    /// (with `field`, of that field only), so the record is never a mixture of the two.
    ///
    /// One `resolution` record per field conflict remembers the decision; when the kept version
    /// is not the current one, one change then writes its values back, with the bookkeeping
    /// fields (who recorded them) of the kept side. That change names the resolutions it carries
    /// out (`DecisionGroup`), so a server accepts both or neither. Everything happens in the
    /// caller's transaction.
    @discardableResult
    public func resolve(
        _ record: RecordConflict, keep: ConflictChoice, field: String? = nil
    ) throws
        -> RecordResolution
    {
        let open = record.open(field: field)
        guard !open.isEmpty else {
            throw StoreError.notFound(type: "open conflict", id: record.id + (field.map { " (field \($0))" } ?? ""))
        }
        // The resolutions first: a device pushes in log order, so they reach the server no later
        // than the values that depend on them.
        for conflict in open { try writeResolution(of: conflict, keep: keep) }
        var outcome = RecordResolution(record: record, keep: keep, fields: [], restored: [:])
        var seen: Set<String> = []
        outcome.fields = open.map(\.field).filter { seen.insert($0).inserted }
        guard let type = EntityType.named(record.type), let table = RecordTable.all[type.name] else { return outcome }

        let current = try table.load(statements, id: record.entity) ?? EntityState()
        var target: FieldMap = [:]
        if keep == .loser {
            for conflict in open.sorted(by: { $0.loser.hlc < $1.loser.hlc }) {
                target[conflict.field] = conflict.loser.value
            }
        }
        // A whole version is kept: who recorded it comes with it. A deletion records no one.
        let side = keep == .winner ? record.winner : record.loser
        if field == nil, !(keep == .winner && side.deleted) {
            for name in type.bookkeeping { if let value = side.values[name] { target[name] = value } }
        }
        var written = target.filter { (current.values[$0.key] ?? .null) != $0.value }
        if keep == .loser, current.isDeleted { written[EntityType.deletedField] = .bool(false) }
        guard !written.isEmpty else { return outcome }
        var base: [String: HLC?] = [:]
        for name in written.keys { base[name] = .some(current.versions[name]) }
        DecisionGroup.mark(&base, resolutions: open.map(\.id))
        let change = try makeChange(
            type, id: record.entity, site: type.site(id: record.entity, fields: current.values), fields: written,
            base: base)
        try apply(change, current: .some(current))
        written[EntityType.deletedField] = nil
        outcome.restored = written
        return outcome
    }

    /// Settles one field conflict, found by its id: the fields of its record that conflict with it
    /// are settled alike (the id of a record-level entry settles the whole record).
    @discardableResult
    public func resolveConflict(id: String, keep: ConflictChoice) throws -> RecordResolution {
        guard let record = try recordConflict(named: id) else { throw StoreError.notFound(type: "conflict", id: id) }
        let field = record.conflicts.first { $0.id == id }?.field
        return try resolve(record, keep: keep, field: field)
    }

    private func writeResolution(of conflict: Conflict, keep: ConflictChoice) throws {
        let fields: FieldMap = [
            "site": conflict.site.map(FieldValue.text) ?? .null, "keep": .text(keep.rawValue),
            "kind": .text(conflict.kind.rawValue),
            "recordType": .text(conflict.type), "entity": .text(conflict.entity), "field": .text(conflict.field),
            "loserValue": .text(conflict.loser.value.json), "loserAuthor": .text(conflict.loser.author),
            "loserHLC": .text(conflict.loser.hlc.description), "winnerValue": .text(conflict.winner.value.json),
            "winnerAuthor": .text(conflict.winner.author), "winnerHLC": .text(conflict.winner.hlc.description),
        ]
        try write(.resolution, id: conflict.id, fields: fields)
    }
}
