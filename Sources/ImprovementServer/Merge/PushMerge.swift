import ImprovementCore

/// The merge of one pushed batch for a server that keeps records outside an `ImprovementStore`
/// (PostgreSQL): the same rule as the store's, planned in memory in two steps so the storage can
/// fetch what it needs with a few set-based queries instead of one per change.
///
/// 1. `init` judges each change in batch order against the stored records (and the batch's earlier
///    changes): permission, duplicate, and whether it simply extends the record (fast forward)
///    or the record must be derived again from its whole history.
/// 2. `finish` derives those records from their logged history plus the batch.
package struct PushMerge {
    /// A record, identified by type and id.
    package struct Key: Hashable, Sendable {
        package var type: String
        package var entity: String

        package init(type: String, entity: String) {
            self.type = type
            self.entity = entity
        }
    }

    /// A record as the server keeps it: merged values and versions as canonical JSON text.
    package struct StoredRecord: Equatable, Sendable {
        package var site: String?
        package var valuesJSON: String
        package var versionsJSON: String
        /// True when the record has conflict records (open or resolved).
        package var conflicted: Bool

        package init(site: String?, valuesJSON: String, versionsJSON: String, conflicted: Bool) {
            self.site = site
            self.valuesJSON = valuesJSON
            self.versionsJSON = versionsJSON
            self.conflicted = conflicted
        }
    }

    /// A change of a record's history as the log stores it.
    package struct LoggedWrite: Sendable {
        package var id: String
        package var hlc: String
        package var author: String
        package var fieldsJSON: String
        package var baseJSON: String

        package init(id: String, hlc: String, author: String, fieldsJSON: String, baseJSON: String) {
            self.id = id
            self.hlc = hlc
            self.author = author
            self.fieldsJSON = fieldsJSON
            self.baseJSON = baseJSON
        }
    }

    /// The records of known types a batch touches, in order of first appearance.
    package static func keys(of changes: [Change]) -> [Key] {
        var seen: Set<Key> = []
        var keys: [Key] = []
        for change in changes where EntityType.named(change.type) != nil {
            let key = Key(type: change.type, entity: change.entity)
            if seen.insert(key).inserted { keys.append(key) }
        }
        return keys
    }

    /// Changes of the batch the log does not hold yet, in batch order.
    package private(set) var fresh: [Change] = []
    /// Changes the log already held (resends), including repeats inside the batch.
    package private(set) var duplicates = 0
    /// Records whose conflicts must be derived again from their whole history.
    package private(set) var needsDerivation: Set<Key> = []

    private var states: [Key: EntityState] = [:]
    private var conflicted: [Key: Bool] = [:]
    /// Records the batch changed, in order of first change.
    private var changedKeys: [Key] = []
    private var changedSet: Set<Key> = []

    /// Judges every change of the batch; a refusal by `authorize` throws before anything is planned.
    ///
    /// - Parameters:
    ///   - existingIDs: ids of the batch's changes that the log already holds.
    ///   - stored: the stored records the batch touches (absent when new).
    ///   - authorize: checks a change against the site the server holds for its record (nil when the
    ///     record is new here, `.some(nil)` for a global definition), as `ImprovementStore.apply` does.
    package init(
        changes: [Change], existingIDs: Set<String>, stored: [Key: StoredRecord],
        authorize: (Change, _ storedSite: String??) throws -> Void
    ) throws {
        // The same checks, in the same order, as `ImprovementStore.apply`.
        for change in changes { try ChangeRules.check(change) }
        for (key, record) in stored {
            states[key] = try Self.state(of: record)
            conflicted[key] = record.conflicted
        }
        var logged = existingIDs
        for change in changes {
            let type = EntityType.named(change.type)
            let key = Key(type: change.type, entity: change.entity)
            let current = type == nil ? nil : states[key]
            try authorize(change, current.map { state in type?.site(id: change.entity, fields: state.values) })
            guard logged.insert(change.id).inserted else {
                duplicates += 1
                continue
            }
            fresh.append(change)
            // A type this version does not know stays in the log, to be merged after an upgrade.
            guard type != nil else { continue }
            if !needsDerivation.contains(key),
                !Self.canFastForward(change, current: current, conflicted: conflicted[key] ?? false)
            {
                needsDerivation.insert(key)
            }
            if changedSet.insert(key).inserted { changedKeys.append(key) }
            // Values are last-writer-wins per field whatever the history, so the state can be
            // kept current here; only the conflicts need the whole history.
            var state = current ?? EntityState()
            for (field, value) in change.fields {
                if let version = state.versions[field], !(version < change.hlc) { continue }
                state.values[field] = value
                state.versions[field] = change.hlc
            }
            states[key] = state
        }
    }

    /// What the storage writes after the batch: every changed record and, for the records derived
    /// again, their complete set of conflicts (which replaces the stored one).
    package struct Outcome: Sendable {
        package var records: [(key: Key, record: StoredRecord)]
        package var conflicts: [Key: [Conflict]]
    }

    /// Derives the records that need it from `histories` (their logged changes, without this
    /// batch's) plus the batch's fresh changes.
    package func finish(histories: [Key: [LoggedWrite]]) throws -> Outcome {
        var batchWrites: [Key: [EntityWrite]] = [:]
        for change in fresh {
            let key = Key(type: change.type, entity: change.entity)
            if needsDerivation.contains(key) { batchWrites[key, default: []].append(EntityWrite(change)) }
        }
        var derivedConflicts: [Key: [Conflict]] = [:]
        var records: [(key: Key, record: StoredRecord)] = []
        records.reserveCapacity(changedKeys.count)
        for key in changedKeys {
            guard let type = EntityType.named(key.type) else { continue }
            var state = states[key] ?? EntityState()
            var hasConflicts = conflicted[key] ?? false
            if needsDerivation.contains(key) {
                var history = try (histories[key] ?? []).map(Self.write(from:))
                history += batchWrites[key] ?? []
                let derived = EntityMerge.derive(type: key.type, entity: key.entity, site: nil, history: history)
                state = derived.state
                let site = type.site(id: key.entity, fields: state.values)
                derivedConflicts[key] = derived.conflicts.map { conflict in
                    var placed = conflict
                    placed.site = site
                    return placed
                }
                hasConflicts = !derived.conflicts.isEmpty
            }
            records.append(
                (
                    key,
                    StoredRecord(
                        site: type.site(id: key.entity, fields: state.values),
                        valuesJSON: CanonicalJSON.object(state.values),
                        versionsJSON: CanonicalJSON.object(state.versions), conflicted: hasConflicts)
                ))
        }
        return Outcome(records: records, conflicts: derivedConflicts)
    }

    /// The store's fast-forward rule: the change saw every current version it names, is newer
    /// than each field it writes, touches no deletion, and the record has no conflicts.
    static func canFastForward(_ change: Change, current: EntityState?, conflicted: Bool) -> Bool {
        if change.fields[EntityType.deletedField] != nil { return false }
        guard let current else { return change.base.values.allSatisfy { $0 == nil } }
        if current.isDeleted || conflicted { return false }
        for (field, version) in change.base where version != current.versions[field] { return false }
        for field in change.fields.keys {
            if change.base[field] == nil, current.versions[field] != nil { return false }
            if let version = current.versions[field], !(version < change.hlc) { return false }
        }
        return true
    }

    private static func state(of record: StoredRecord) throws -> EntityState {
        var state = EntityState()
        state.values = try CanonicalJSON.decodeFields(record.valuesJSON)
        for (field, stamp) in try CanonicalJSON.decodeBase(record.versionsJSON) {
            guard let stamp else { throw StoreError.corrupt("versions of a stored record") }
            state.versions[field] = stamp
        }
        return state
    }

    private static func write(from logged: LoggedWrite) throws -> EntityWrite {
        guard let hlc = HLC(logged.hlc) else { throw StoreError.corrupt("clock of change \(logged.id)") }
        do {
            return EntityWrite(
                changeID: logged.id, hlc: hlc, author: logged.author,
                fields: try CanonicalJSON.decodeFields(logged.fieldsJSON),
                base: try CanonicalJSON.decodeBase(logged.baseJSON))
        } catch {
            throw StoreError.corrupt("fields of change \(logged.id)")
        }
    }
}
