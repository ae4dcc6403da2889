import Foundation
import GRDB

/// The operations of one write transaction. Obtained from `ImprovementStore.write`; never
/// outlives it.
public final class StoreWriter: ValidationContext {
    let db: Database
    let statements: StatementCache
    let replica: String
    /// Who the changes are recorded as.
    public let author: String
    /// Today's date on the device's calendar, when the transaction began: periods after it are refused.
    public let today: Day
    /// The device's offset from UTC, for the dates it shows.
    let utcOffsetSeconds: Int
    private var clock: HLCGenerator
    private let clockAtStart: HLC
    /// The account local writes are judged against; nil when it is not known.
    private let account: AccountScope?
    /// Measures and units looked up during this transaction: bulk recording asks for the same few.
    private var referenceCache: [String: FieldMap?] = [:]
    /// Measures (with their site-independent definition) and units' sites, as `record` needs them.
    private var measures: [String: Measure] = [:]
    private var unitSites: [String: String] = [:]
    /// Stored series of a measure and unit, summarised once per transaction for the plausibility check.
    private var seriesSummaries: [String: Plausibility.SeriesSummary?] = [:]
    private var programmeStarts: [String: Day?] = [:]

    init(db: Database, replica: String, author: String, options: StoreOptions) throws {
        self.db = db
        self.statements = StatementCache(db)
        self.replica = replica
        self.author = author
        self.today = Day(millisecondsSince1970: options.clock.nowMillis(), utcOffsetSeconds: options.utcOffsetSeconds)
        self.utcOffsetSeconds = options.utcOffsetSeconds
        let stored = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'clock'")).flatMap(
            HLC.init)
        clock = HLCGenerator(replica: replica, last: stored, physical: options.clock)
        clockAtStart = clock.last
        account = options.account
    }

    func finish() throws {
        if clock.last != clockAtStart {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('clock', ?)")
                .execute(arguments: [clock.last.description])
        }
    }

    // MARK: - Validation context

    /// The live fields of a record as this transaction sees them; nil when there is none or it is deleted.
    public func fields(of type: EntityType, id: String) throws -> FieldMap? {
        let cacheable = type == .measure || type == .unit
        let key = type.name + "\u{0}" + id
        if cacheable, let cached = referenceCache[key] { return cached }
        let state = try RecordTable.all[type.name]!.load(statements, id: id)
        let fields = state.flatMap { $0.isDeleted ? nil : $0.values }
        if cacheable { referenceCache[key] = .some(fields) }
        return fields
    }

    /// How many data points of `measure` are not deleted, as this transaction sees them.
    public func liveObservationCount(measure: String) throws -> Int {
        // Observation ids start with "measure/", so the primary key bounds the scan ('0' follows '/').
        try Int.fetchOne(
            db, sql: "SELECT count(*) FROM observation WHERE id > ? AND id < ? AND deleted = 0",
            arguments: [measure + "/", measure + "0"]) ?? 0
    }

    /// The stored state of the record a change targets; nil when it is new here or of an unknown type.
    func currentState(of change: Change) throws -> EntityState? {
        guard let table = RecordTable.all[change.type] else { return nil }
        return try table.load(statements, id: change.entity)
    }

    // MARK: - Local writes

    /// Validates and saves a record: creates it, updates the fields that differ, or brings a
    /// deleted one back. Returns the logged change, or nil when nothing changed.
    @discardableResult
    public func save<R: SyncedRecord>(_ record: R) throws -> Change? {
        try record.validate(in: self)
        return try write(R.entityType, id: record.id, fields: record.fields)
    }

    /// Records one data point: the period is moved to the start of the measure's day, week or
    /// month and the site is taken from the unit.
    @discardableResult
    public func record(_ entry: ObservationEntry) throws -> Observation {
        try recordReporting(entry).observation
    }

    /// Records one data point as `record` does, and says what it replaced.
    ///
    /// Fields the entry does not give are kept: an entry with no values edits the note of an
    /// existing data point; an entry with no note (and not `clearNote`) keeps the note. Only the
    /// fields that differ are written, so recording identical values logs no change. "Recorded
    /// by" becomes this writer's author only when the values change.
    public func recordReporting(_ entry: ObservationEntry) throws -> RecordedObservation {
        try Check.id(entry.measure, field: "measure")
        try Check.id(entry.unit, field: "unit")
        let measure: Measure
        if let cached = measures[entry.measure] {
            measure = cached
        } else {
            measure = Measure(id: entry.measure, fields: try requireExisting(.measure, entry.measure))
            measures[entry.measure] = measure
        }
        let site: String
        if let cached = unitSites[entry.unit] {
            site = cached
        } else {
            site = try requireExisting(.unit, entry.unit)["site"]?.text ?? ""
            unitSites[entry.unit] = site
        }
        var observation = Observation(
            measure: entry.measure, unit: entry.unit, site: site,
            period: measure.frequency.periodStart(of: entry.period), numerator: entry.numerator,
            denominator: entry.denominator, value: entry.value, note: entry.note, recordedBy: author)
        let table = RecordTable.all[EntityType.observation.name]!
        if entry.givesValues {
            try observation.validateShape(for: measure, today: today)
            try checkPlausible(observation, measure: measure, force: entry.force)
            // Most entries are new data points: one INSERT, no read.
            if let change = try createIfNew(
                .observation, table: table, id: observation.id, fields: observation.fields)
            {
                return RecordedObservation(observation: observation, previous: nil, previousDate: nil, change: change)
            }
        }
        let current = try table.load(statements, id: observation.id).flatMap { $0.isDeleted ? nil : $0 }
        var previous: Observation?
        var previousDate: Day?
        if let current {
            let stored = Observation(id: observation.id, fields: current.values)
            previous = stored
            if let version = current.versions["value"] ?? current.versions["numerator"] {
                previousDate = Day(millisecondsSince1970: version.millis, utcOffsetSeconds: utcOffsetSeconds)
            }
            if !entry.givesValues {
                observation.numerator = stored.numerator
                observation.denominator = stored.denominator
                observation.value = stored.value
            }
            if entry.note == nil, !entry.clearNote { observation.note = stored.note }
            let sameValues =
                (stored.numerator, stored.denominator, stored.value)
                == (observation.numerator, observation.denominator, observation.value)
            // Who recorded the values changes only with them.
            if sameValues { observation.recordedBy = stored.recordedBy }
        } else if !entry.givesValues {
            throw ValidationError.missing(
                field: "data point of \(entry.measure) for \(entry.unit), period starting \(observation.period)",
                hint: "A note alone can only be added to a data point that was recorded: give its values with "
                    + "--numerator and --denominator, or --value.")
        }
        try observation.validateShape(for: measure, today: today)
        if entry.givesValues { try checkPlausible(observation, measure: measure, force: entry.force) }
        let change = try write(.observation, id: observation.id, fields: observation.fields)
        return RecordedObservation(
            observation: observation, previous: previous, previousDate: previousDate, change: change)
    }

    /// Refuses, unless `force`, a data point that is possible but unusual (`Plausibility`), judged
    /// against the series as stored when the transaction began.
    private func checkPlausible(_ observation: Observation, measure: Measure, force: Bool) throws {
        if force { return }
        let key = observation.measure + "/" + observation.unit
        let series: Plausibility.SeriesSummary?
        if let cached = seriesSummaries[key] {
            series = cached
        } else {
            var points: [Observation] = []
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT numerator, denominator, value FROM observation
                        WHERE deleted = 0 AND id >= ? AND id < ?
                        """), arguments: [key + "/", key + "0"])
            while let row = try rows.next() {
                points.append(
                    Observation(
                        measure: observation.measure, unit: observation.unit, site: observation.site,
                        period: observation.period, numerator: row[0], denominator: row[1], value: row[2]))
            }
            series = Plausibility.summary(of: points)
            seriesSummaries[key] = .some(series)
        }
        let start: Day?
        if let cached = programmeStarts[measure.programme] {
            start = cached
        } else {
            start = try fields(of: .programme, id: measure.programme)?["start"]?.text.flatMap(Day.init)
            programmeStarts[measure.programme] = .some(start)
        }
        let warnings = Plausibility.warnings(for: observation, measure: measure, programmeStart: start, series: series)
        if !warnings.isEmpty { throw ImplausibleEntry(warnings: warnings) }
    }

    /// Deletes the data point of a measure, unit and period (any date within the period).
    @discardableResult
    public func deleteObservation(measure: String, unit: String, period: Day) throws -> Change {
        let definition = Measure(id: measure, fields: try requireExisting(.measure, measure))
        let id = Observation.id(measure: measure, unit: unit, period: definition.frequency.periodStart(of: period))
        return try delete(.observation, id: id)
    }

    /// Deletes a record, leaving a tombstone that syncs like any other change.
    @discardableResult
    public func delete(_ type: EntityType, id: String) throws -> Change {
        let table = RecordTable.all[type.name]!
        guard let current = try table.load(statements, id: id), !current.isDeleted else {
            throw StoreError.notFound(type: type.name, id: id)
        }
        // The deletion saw every field's current version: edits it did not see become conflicts.
        let change = try makeChange(
            type, id: id, site: type.site(id: id, fields: current.values),
            fields: [EntityType.deletedField: .bool(true)], base: current.versions.mapValues { .some($0) })
        try apply(change, current: .some(current))
        return change
    }

    /// Logs and applies a local write of `fields` to one record.
    @discardableResult
    func write(_ type: EntityType, id: String, fields newFields: FieldMap) throws -> Change? {
        let table = RecordTable.all[type.name]!
        // Validation may have looked the record up (and cached its absence) before this write.
        if type == .measure || type == .unit {
            referenceCache[type.name + "\u{0}" + id] = nil
            measures[id] = nil
            unitSites[id] = nil
        }
        if let created = try createIfNew(type, table: table, id: id, fields: newFields) { return created }
        let current = try table.load(statements, id: id)
        var written: FieldMap = [:]
        if let current {
            for field in type.immutable
            where !current.isDeleted
                && (current.values[field] ?? .null) != (newFields[field] ?? .null)
            {
                throw ValidationError.cannotChange(field: field, kind: type.name)
            }
            for (field, value) in newFields where (current.values[field] ?? .null) != value || current.isDeleted {
                if current.isDeleted, value == .null, (current.values[field] ?? .null) == .null { continue }
                written[field] = value
            }
            if current.isDeleted { written[EntityType.deletedField] = .bool(false) }
        } else {
            // A new record is written whole, nulls included, so every field shares one version.
            written = newFields
        }
        guard !written.isEmpty else { return nil }
        // Only fields with a version the writer saw are listed; a field absent from `base` had none.
        var base: [String: HLC?] = [:]
        for field in written.keys {
            if let version = current?.versions[field] { base[field] = .some(version) }
        }
        let change = try makeChange(
            type, id: id, site: type.site(id: id, fields: newFields), fields: written, base: base)
        try apply(change, current: .some(current))
        return change
    }

    /// Most writes create a record: try that first with one `INSERT ... DO NOTHING`, which saves
    /// reading the row. The result is what `apply` would produce for a first write.
    private func createIfNew(_ type: EntityType, table: RecordTable, id: String, fields: FieldMap) throws -> Change? {
        let change = try makeChange(type, id: id, site: type.site(id: id, fields: fields), fields: fields, base: [:])
        guard try table.insertIfAbsent(statements, id: id, fields: fields, version: change.hlc) else { return nil }
        try logChange(change)
        return change
    }

    /// Every local write makes its change here, so this is where the account's rules are applied:
    /// a refused change is never logged or applied, and the refusal rolls the transaction back.
    func makeChange(
        _ type: EntityType, id: String, site: String?, fields: FieldMap, base: [String: HLC?]
    )
        throws -> Change
    {
        let stamp = clock.tick()
        let change = Change(
            id: ChangeID.random(millis: stamp.millis), replica: replica, type: type.name, entity: id, site: site,
            hlc: stamp, author: author, fields: fields, base: base)
        if let account, let reason = PermissionRules.refusal(for: change, account: account) {
            throw WriteRefusal(type: type.name, entity: id, reason: reason, account: account)
        }
        return change
    }

    // MARK: - Merge

    /// Checks a change from another replica before anything in its batch is applied.
    func checkRemote(_ change: Change) throws {
        try ChangeRules.check(change)
    }

    /// Logs a change and merges it into its record. Returns false when the change was already
    /// in the log (a resend), in which case nothing changes.
    @discardableResult
    func apply(_ change: Change, current known: EntityState?? = nil) throws -> Bool {
        guard try logChange(change) else { return false }
        if change.replica != replica { clock.receive(change.hlc) }
        // A type this version does not know stays in the log, to be merged after an upgrade.
        guard let type = EntityType.named(change.type), let table = RecordTable.all[type.name] else { return true }
        // Most pulled changes create their record: insert it outright, which saves reading the row.
        if known == nil, Self.mayCreate(change),
            try table.insertIfAbsent(statements, id: change.entity, fields: change.fields, version: change.hlc)
        {
            return true
        }
        try merge(change, type: type, table: table, current: known ?? table.load(statements, id: change.entity))
        return true
    }

    /// Applies a change from another replica once `authorize` accepted it, judged against the
    /// record as it stands just before it. Returns false for a change the log already holds.
    func applyRemote(_ change: Change, authorize: (Change, _ storedSite: String??) throws -> Void) throws -> Bool {
        guard let type = EntityType.named(change.type), let table = RecordTable.all[type.name], Self.mayCreate(change)
        else {
            let current = try currentState(of: change)
            try authorize(
                change,
                current.map { state in
                    EntityType.named(change.type).map { $0.site(id: change.entity, fields: state.values) } ?? nil
                })
            return try apply(change, current: .some(current))
        }
        // Creating the record first and authorising after is safe: a refusal rolls the whole
        // transaction back. It saves reading the row for the common case of a new record.
        guard try logChange(change) else {
            let current = try table.load(statements, id: change.entity)
            try authorize(change, current.map { type.site(id: change.entity, fields: $0.values) })
            return false
        }
        if change.replica != replica { clock.receive(change.hlc) }
        if try table.insertIfAbsent(statements, id: change.entity, fields: change.fields, version: change.hlc) {
            try authorize(change, nil)
            return true
        }
        let current = try table.load(statements, id: change.entity)
        try authorize(change, current.map { type.site(id: change.entity, fields: $0.values) })
        try merge(change, type: type, table: table, current: current)
        return true
    }

    /// True when the change could be the first write of its record (no deletion, no version seen):
    /// then, if the record is absent, merging it is inserting its fields.
    private static func mayCreate(_ change: Change) -> Bool {
        change.fields[EntityType.deletedField] == nil && change.base.values.allSatisfy { $0 == nil }
    }

    /// Merges a logged change into its record's current state.
    private func merge(_ change: Change, type: EntityType, table: RecordTable, current: EntityState?) throws {
        if try canFastForward(change, type: type, current: current) {
            var state = current ?? EntityState()
            for (field, value) in change.fields {
                state.values[field] = value
                state.versions[field] = change.hlc
            }
            try table.save(statements, id: change.entity, state: state)
        } else {
            try rederive(type, table: table, id: change.entity)
        }
    }

    /// Appends a change to the log; false when the log already holds it.
    @discardableResult
    private func logChange(_ change: Change) throws -> Bool {
        let insert = try statements.prepared(
            """
            INSERT OR IGNORE INTO changes (id, replica, type, entity, site, hlc, author, fields, base)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, change.id)
        insert.bind(2, change.replica)
        insert.bind(3, change.type)
        insert.bind(4, change.entity)
        insert.bind(5, change.site)
        insert.bind(6, change.hlc.description)
        insert.bind(7, change.author)
        insert.bind(8, change.fieldsJSON)
        insert.bind(9, change.baseJSON)
        return try insert.execute() > 0
    }

    /// True when the change simply extends what this replica holds: it saw every current version
    /// it names, is newer than each field it writes, touches no deletion, and the record has no
    /// conflicts. Then the merged result is the current state plus the change, with no need to
    /// replay the record's history; `EntityMerge.derive` would give the same answer.
    private func canFastForward(_ change: Change, type: EntityType, current: EntityState?) throws -> Bool {
        if change.fields[EntityType.deletedField] != nil { return false }
        guard let current else { return change.base.values.allSatisfy { $0 == nil } }
        if current.isDeleted { return false }
        for (field, version) in change.base where version != current.versions[field] { return false }
        for field in change.fields.keys {
            if change.base[field] == nil, current.versions[field] != nil { return false }
            if let version = current.versions[field], !(version < change.hlc) { return false }
        }
        let conflicts = try statements.prepared("SELECT 1 FROM conflicts WHERE type = ? AND entity = ? LIMIT 1")
        conflicts.bind(1, type.name)
        conflicts.bind(2, change.entity)
        let hasConflicts = try conflicts.step()
        if hasConflicts { conflicts.reset() }
        return !hasConflicts
    }

    /// Recomputes a record and its conflicts from every change in its history.
    private func rederive(_ type: EntityType, table: RecordTable, id: String) throws {
        try RecordDerivation.rederive(db, statements: statements, type: type, table: table, id: id)
    }
}

/// One data point as a person enters it.
public struct ObservationEntry: Sendable {
    /// The measure's id.
    public var measure: String
    /// The unit's id; the data point's site is the unit's.
    public var unit: String
    /// Any date within the period; it is moved to the period's start.
    public var period: Day
    /// For ratio charts (P, U): the count of events; nil keeps the value a data point already has.
    public var numerator: Double?
    /// For ratio charts: what the events are counted out of; nil keeps the value a data point already has.
    public var denominator: Double?
    /// For charts of single values: the measured value; nil keeps the value a data point already has.
    public var value: Double?
    /// The note; nil keeps the note a data point already has (unless `clearNote`).
    public var note: String?
    /// Removes the note of an existing data point.
    public var clearNote: Bool
    /// Records a value that is possible but unusual (`Plausibility`) without asking.
    public var force: Bool

    /// True when the entry gives the data point's values (not only its note).
    public var givesValues: Bool { numerator != nil || denominator != nil || value != nil }

    /// An entry; nothing is checked until it is recorded (`StoreWriter.record(_:)`).
    public init(
        measure: String, unit: String, period: Day, numerator: Double? = nil, denominator: Double? = nil,
        value: Double? = nil, note: String? = nil, clearNote: Bool = false, force: Bool = false
    ) {
        self.measure = measure
        self.unit = unit
        self.period = period
        self.numerator = numerator
        self.denominator = denominator
        self.value = value
        self.note = note
        self.clearNote = clearNote
        self.force = force
    }
}

/// What recording a data point did.
public struct RecordedObservation: Sendable {
    /// The data point as it now stands.
    public var observation: Observation
    /// The data point it replaced, if there was one.
    public var previous: Observation?
    /// The day the replaced values were recorded.
    public var previousDate: Day?
    /// The logged change; nil when nothing differed.
    public var change: Change?

    /// True when the values (not only the note) changed from what someone else had recorded.
    public var overwritesAnotherAuthor: Bool {
        guard let previous, let author = previous.recordedBy, author != observation.recordedBy else { return false }
        return (previous.numerator, previous.denominator, previous.value)
            != (observation.numerator, observation.denominator, observation.value)
    }
}
