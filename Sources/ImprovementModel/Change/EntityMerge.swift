/// One logged write to a record, as the merge needs it.
package struct EntityWrite: Sendable {
    package var changeID: String
    package var hlc: HLC
    package var author: String
    package var fields: FieldMap
    package var base: [String: HLC?]

    package init(_ change: Change) {
        self.init(changeID: change.id, hlc: change.hlc, author: change.author, fields: change.fields, base: change.base)
    }

    package init(changeID: String, hlc: HLC, author: String, fields: FieldMap, base: [String: HLC?]) {
        self.changeID = changeID
        self.hlc = hlc
        self.author = author
        self.fields = fields
        self.base = base
    }

    func baseVersion(of field: String) -> HLC? { base[field] ?? nil }
}

/// A record's merged state: each field's winning value and the version (HLC) that wrote it.
package struct EntityState: Equatable, Sendable {
    package var values: FieldMap = [:]
    package var versions: [String: HLC] = [:]

    package var isDeleted: Bool { values[EntityType.deletedField] == .bool(true) }

    package init(values: FieldMap = [:], versions: [String: HLC] = [:]) {
        self.values = values
        self.versions = versions
    }
}

/// The merge rule, as a pure function of the set of writes a record has received.
///
/// Because the result depends only on the set, never on the order of arrival, every replica
/// that has received the same changes holds the same values *and* the same conflicts. That is
/// what makes the merge commutative, associative and idempotent, conflicts included.
///
/// - Per field, the write with the highest HLC wins (HLC ties are broken by replica id inside
///   the HLC, then by change id).
/// - A losing write that no other write saw (no change names it as its `base`) was overwritten
///   without being seen: it becomes a conflict, unless its value is still current or was seen
///   through another write of the same value (a concurrent write of the same value is no conflict).
/// - When the record is deleted, each field's latest write that the deletion did not see (and
///   that did not see the deletion) is an edit-versus-delete conflict.
/// - Bookkeeping fields of the type (who recorded the values) are last-writer-wins like any
///   other but never form a conflict: they describe the values, whose conflicts keep every side.
package enum EntityMerge {
    package static func derive(
        type: String, entity: String, site: String?, history: [EntityWrite]
    ) -> (state: EntityState, conflicts: [Conflict]) {
        let writes = history.sorted { ($0.hlc, $0.changeID) < ($1.hlc, $1.changeID) }
        var writesByField: [String: [Int]] = [:]
        var seen: [String: Set<HLC>] = [:]
        for (index, write) in writes.enumerated() {
            for field in write.fields.keys { writesByField[field, default: []].append(index) }
            for (field, version) in write.base {
                if let version { seen[field, default: []].insert(version) }
            }
        }

        var state = EntityState()
        for (field, indexes) in writesByField {
            let winner = writes[indexes[indexes.count - 1]]
            state.values[field] = winner.fields[field]
            state.versions[field] = winner.hlc
        }

        let bookkeeping = EntityType.named(type)?.bookkeeping ?? []
        var conflicts: [Conflict] = []
        func side(_ write: EntityWrite, _ field: String) -> Conflict.Side {
            Conflict.Side(value: write.fields[field] ?? .null, author: write.author, hlc: write.hlc)
        }
        // A value is not lost when another write of the same value is current or was seen.
        func isCovered(_ index: Int, field: String, indexes: [Int], winner: Int?) -> Bool {
            let value = writes[index].fields[field]
            let seenHere = seen[field] ?? []
            return indexes.contains { other in
                other != index && writes[other].fields[field] == value
                    && (other == winner || seenHere.contains(writes[other].hlc))
            }
        }

        for field in writesByField.keys.sorted() where !bookkeeping.contains(field) {
            let indexes = writesByField[field]!
            let winnerIndex = indexes[indexes.count - 1]
            let seenHere = seen[field] ?? []
            for index in indexes.dropLast() where !seenHere.contains(writes[index].hlc) {
                if isCovered(index, field: field, indexes: indexes, winner: winnerIndex) { continue }
                conflicts.append(
                    Conflict(
                        kind: .edit, type: type, entity: entity, site: site, field: field,
                        winner: side(writes[winnerIndex], field), loser: side(writes[index], field)))
            }
        }

        if state.isDeleted, let deletions = writesByField[EntityType.deletedField] {
            let deletion = writes[deletions[deletions.count - 1]]
            for field in writesByField.keys.sorted()
            where field != EntityType.deletedField && !bookkeeping.contains(field) {
                let indexes = writesByField[field]!
                let latestIndex = indexes[indexes.count - 1]
                let latest = writes[latestIndex]
                if latest.changeID == deletion.changeID { continue }
                if deletion.baseVersion(of: field) == latest.hlc { continue }
                if latest.baseVersion(of: EntityType.deletedField) == deletion.hlc { continue }
                if isCovered(latestIndex, field: field, indexes: indexes, winner: nil) { continue }
                conflicts.append(
                    Conflict(
                        kind: .delete, type: type, entity: entity, site: site, field: field,
                        winner: Conflict.Side(value: .null, author: deletion.author, hlc: deletion.hlc),
                        loser: side(latest, field)))
            }
        }
        return (state, conflicts)
    }
}
