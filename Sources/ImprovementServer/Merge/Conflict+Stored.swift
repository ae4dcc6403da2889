import ImprovementCore

/// Conflict records rebuilt from the columns a server stores them in, for storage engines other
/// than the store's own SQLite tables (which read them in `ConflictQueries`).
extension Conflict {
    /// A conflict from its stored columns; values are canonical JSON text (`FieldValue.json`).
    package init(
        id: String, kind: String, type: String, entity: String, site: String?, field: String,
        winnerValueJSON: String, winnerAuthor: String, winnerHLC: String,
        loserValueJSON: String, loserAuthor: String, loserHLC: String
    ) throws {
        guard let winnerClock = HLC(winnerHLC), let loserClock = HLC(loserHLC) else {
            throw StoreError.corrupt("clock of conflict \(id)")
        }
        self.init(
            kind: Kind(rawValue: kind) ?? .edit, type: type, entity: entity, site: site, field: field,
            winner: Side(value: try Self.value(winnerValueJSON, conflict: id), author: winnerAuthor, hlc: winnerClock),
            loser: Side(value: try Self.value(loserValueJSON, conflict: id), author: loserAuthor, hlc: loserClock))
        self.id = id
    }

    /// The decision a `resolution` record holds (its values as canonical JSON), or nil when the
    /// record is deleted or names no valid choice.
    package static func choice(inResolutionValues valuesJSON: String) throws -> ConflictChoice? {
        let fields = try CanonicalJSON.decodeFields(valuesJSON)
        if fields[EntityType.deletedField] == .bool(true) { return nil }
        return fields["keep"]?.text.flatMap(ConflictChoice.init(rawValue:))
    }

    /// A conflict that keeping the loser settled for good: the merge no longer derives it, so its
    /// `resolution` record (id = conflict id) is what remembers it. Nil when the record is deleted
    /// or incomplete.
    package static func settled(resolutionID id: String, valuesJSON: String) throws -> Conflict? {
        let fields = try CanonicalJSON.decodeFields(valuesJSON)
        if fields[EntityType.deletedField] == .bool(true) { return nil }
        func text(_ name: String) -> String? { fields[name]?.text }
        guard let type = text("recordType"), let entity = text("entity"), let field = text("field"),
            let winnerValue = text("winnerValue"), let winnerAuthor = text("winnerAuthor"),
            let winnerHLC = text("winnerHLC"), let loserValue = text("loserValue"),
            let loserAuthor = text("loserAuthor"), let loserHLC = text("loserHLC")
        else { return nil }
        var conflict = try Conflict(
            id: id, kind: text("kind") ?? "edit", type: type, entity: entity, site: text("site"), field: field,
            winnerValueJSON: winnerValue, winnerAuthor: winnerAuthor, winnerHLC: winnerHLC,
            loserValueJSON: loserValue, loserAuthor: loserAuthor, loserHLC: loserHLC)
        conflict.resolution = text("keep").flatMap(ConflictChoice.init(rawValue:))
        return conflict
    }

    private static func value(_ json: String, conflict id: String) throws -> FieldValue {
        do {
            return try CanonicalJSON.decodeFields("{\"v\":" + json + "}")["v"] ?? .null
        } catch {
            throw StoreError.corrupt("value of conflict \(id)")
        }
    }
}
