import GRDB

extension ImprovementStore {
    /// One live record, or nil when there is none or it was deleted.
    public func record<R: SyncedRecord>(_ type: R.Type, id: String) throws -> R? {
        try read { db in
            guard let state = try RecordTable.all[R.entityType.name]!.load(StatementCache(db), id: id), !state.isDeleted
            else {
                return nil
            }
            return R(id: id, fields: state.values)
        }
    }

    /// A page of live records of one type in id order; pass the last id seen as `after` for the next page.
    public func records<R: SyncedRecord>(_ type: R.Type, after: String? = nil, limit: Int = 500) throws -> [R] {
        let type = R.entityType
        let columns = type.fields.map { "\"\($0.column)\"" }.joined(separator: ", ")
        return try read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, \(columns) FROM \(type.table) WHERE deleted = 0 AND id > ? ORDER BY id LIMIT ?",
                arguments: [after ?? "", limit])
            let table = RecordTable.all[type.name]!
            var result: [R] = []
            while let row = try rows.next() {
                result.append(R(id: row[0], fields: table.values(from: row, offset: 1)))
            }
            return result
        }
    }

    /// The merged state of a record, deleted or not, with each field's version: for inspection and tests.
    public func mergedState(of type: EntityType, id: String) throws -> (fields: FieldMap, versions: [String: HLC])? {
        try read { db in
            try RecordTable.all[type.name]!.load(StatementCache(db), id: id).map { ($0.values, $0.versions) }
        }
    }

    /// Calls `body` for each live observation matching `query`, in measure, unit, period order,
    /// reading through a cursor so memory stays flat however many there are.
    public func forEachObservation(_ query: ObservationQuery, _ body: (Observation) throws -> Void) throws {
        var sql = """
            SELECT measure, unit, site, period, numerator, denominator, value, note, recorded_by
            FROM observation
            WHERE deleted = 0 AND measure IS NOT NULL AND unit IS NOT NULL AND site IS NOT NULL AND period IS NOT NULL
            """
        var arguments: StatementArguments = []
        if let measure = query.measure {
            // Ids are measure/unit/period, so one measure (and unit) is a contiguous key range.
            let prefix = query.unit.map { measure + "/" + $0 + "/" } ?? measure + "/"
            sql += " AND id >= ? AND id < ?"
            arguments += [prefix, String(prefix.dropLast()) + "0"]
        } else if let unit = query.unit {
            sql += " AND unit = ?"
            arguments += [unit]
        }
        if let site = query.site {
            sql += " AND site = ?"
            arguments += [site]
        }
        if let from = query.from {
            sql += " AND period >= ?"
            arguments += [from.description]
        }
        if let to = query.to {
            sql += " AND period <= ?"
            arguments += [to.description]
        }
        sql += query.measure == nil ? " ORDER BY measure, unit, period" : " ORDER BY id"
        try read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            // A record whose first change has not arrived yet (it was edited elsewhere, and the
            // edit came first) has no measure, unit or period: it is skipped until it is whole.
            while let row = try rows.next() {
                guard let period = Day(row[3] as String? ?? "") else { continue }
                try body(
                    Observation(
                        measure: row[0] as String? ?? "", unit: row[1] as String? ?? "", site: row[2] as String? ?? "",
                        period: period, numerator: row[4], denominator: row[5], value: row[6], note: row[7],
                        recordedBy: row[8]))
            }
        }
    }

    /// The observations matching `query`, in an array: for one measure's series.
    public func observations(_ query: ObservationQuery) throws -> [Observation] {
        var result: [Observation] = []
        try forEachObservation(query) { result.append($0) }
        return result
    }

    /// Conflicts waiting for a coordinator; with `includeResolved`, the settled ones too.
    public func conflicts(includeResolved: Bool = false) throws -> [Conflict] {
        try read { db in try ConflictQueries.list(db, includeResolved: includeResolved) }
    }

    /// Conflicts waiting for a coordinator, one entry per record with both versions whole; with
    /// `includeResolved`, the settled ones too. Bookkeeping fields never make an entry of their own.
    public func recordConflicts(includeResolved: Bool = false) throws -> [RecordConflict] {
        try read { db in try RecordConflictQueries.list(db, includeResolved: includeResolved) }
    }

    /// Every change to one record, oldest first: the audit trail of who changed what and when.
    public func history(of type: EntityType, id: String) throws -> [LoggedChange] {
        try read { db in
            try ChangeLog.fetch(
                db, where: "type = ? AND entity = ? ORDER BY hlc", arguments: [type.name, id])
        }
    }
}

/// Which observations to read. Every filter is optional.
public struct ObservationQuery: Sendable {
    /// Only this measure's points; nil for every measure.
    public var measure: String?
    /// Only this unit's points; nil for every unit.
    public var unit: String?
    /// Only this site's points; nil for every site.
    public var site: String?
    /// Only periods starting on or after this date.
    public var from: Day?
    /// Only periods starting on or before this date.
    public var to: Day?

    /// A query; every filter left nil matches everything.
    public init(measure: String? = nil, unit: String? = nil, site: String? = nil, from: Day? = nil, to: Day? = nil) {
        self.measure = measure
        self.unit = unit
        self.site = site
        self.from = from
        self.to = to
    }
}
