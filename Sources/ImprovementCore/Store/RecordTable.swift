import GRDB

/// SQL and row mapping for one record type's table, derived once from its `EntityType`.
///
/// A class: it is looked up for every change merged, and copying a struct of strings and
/// collections costs a retain and release for each of them.
final class RecordTable: Sendable {
    let type: EntityType
    let selectByID: String
    let upsert: String
    let insertNew: String

    init(_ type: EntityType) {
        self.type = type
        let columns = type.fields.map { "\"\($0.column)\"" }
        selectByID = "SELECT deleted, versions, \(columns.joined(separator: ", ")) FROM \(type.table) WHERE id = ?"
        let placeholders = Array(repeating: "?", count: columns.count + 3).joined(separator: ", ")
        upsert =
            "INSERT OR REPLACE INTO \(type.table) (id, deleted, versions, \(columns.joined(separator: ", "))) "
            + "VALUES (\(placeholders))"
        insertNew =
            "INSERT INTO \(type.table) (id, deleted, versions, \(columns.joined(separator: ", "))) "
            + "VALUES (\(placeholders)) ON CONFLICT (id) DO NOTHING"
    }

    static let all: [String: RecordTable] = Dictionary(
        uniqueKeysWithValues: EntityType.all.map { ($0.name, RecordTable($0)) })

    /// Reads the merged state of one record, or nil when the device has none.
    func load(_ statements: StatementCache, id: String) throws -> EntityState? {
        let statement = try statements.prepared(selectByID)
        statement.bind(1, id)
        guard try statement.step() else { return nil }
        defer { statement.reset() }
        var state = EntityState()
        guard let versionsText = statement.text(1), let versions = VersionsCoding.decode(versionsText, type: type)
        else {
            throw StoreError.corrupt("versions of \(type.name) \(id)")
        }
        state.versions = versions
        for (index, spec) in type.fields.enumerated() {
            let column = Int32(index + 2)
            if statement.isNull(column) {
                state.values[spec.name] = .null
                continue
            }
            switch spec.kind {
            case .text: state.values[spec.name] = .text(statement.text(column) ?? "")
            case .number: state.values[spec.name] = .number(statement.double(column))
            case .bool: state.values[spec.name] = .bool(statement.int(column) != 0)
            }
        }
        if versions[EntityType.deletedField] != nil {
            state.values[EntityType.deletedField] = .bool(statement.int(0) != 0)
        }
        return state
    }

    func save(_ statements: StatementCache, id: String, state: EntityState) throws {
        try write(statements, sql: upsert, id: id, state: state)
    }

    /// Inserts a record whose fields were all written by one change, unless one with this id
    /// exists; true when it was inserted.
    func insertIfAbsent(_ statements: StatementCache, id: String, fields: FieldMap, version: HLC) throws -> Bool {
        // One pass over the columns both binds the values and finds whether the change wrote
        // exactly the type's fields (then one shared version, in the compact form).
        let statement = try statements.prepared(insertNew)
        statement.bind(1, id)
        statement.bind(2, fields[EntityType.deletedField] == .bool(true) ? 1 : 0)
        var known = 0
        for (index, spec) in type.fields.enumerated() {
            let value = fields[spec.name]
            if value != nil { known += 1 }
            bind(value, kind: spec.kind, at: Int32(index + 4), to: statement)
        }
        if known == fields.count, known == type.fields.count {
            statement.bind(3, "{\"*\":\"" + version.description + "\"}")  // VersionsCoding's compact form
        } else {
            var versions: [String: HLC] = [:]
            for field in fields.keys { versions[field] = version }
            statement.bind(3, VersionsCoding.encode(versions, type: type))
        }
        return try statement.execute() > 0
    }

    private func bind(_ value: FieldValue?, kind: ColumnKind, at position: Int32, to statement: RawStatement) {
        switch (value, kind) {
        case (.text(let text)?, .text): statement.bind(position, text)
        case (.number(let number)?, .number): statement.bind(position, number)
        case (.bool(let flag)?, .bool): statement.bind(position, flag ? 1 : 0)
        default: statement.bind(position, nil as Double?)
        }
    }

    @discardableResult
    private func write(_ statements: StatementCache, sql: String, id: String, state: EntityState) throws -> Int {
        let statement = try statements.prepared(sql)
        statement.bind(1, id)
        statement.bind(2, state.isDeleted ? 1 : 0)
        statement.bind(3, VersionsCoding.encode(state.versions, type: type))
        for (index, spec) in type.fields.enumerated() {
            bind(state.values[spec.name], kind: spec.kind, at: Int32(index + 4), to: statement)
        }
        return try statement.execute()
    }

    /// Field values of a GRDB row whose field columns start at `offset`, in the type's field order.
    func values(from row: Row, offset: Int) -> FieldMap {
        var values: FieldMap = [:]
        for (index, spec) in type.fields.enumerated() {
            let column = offset + index
            if row.hasNull(atIndex: column) {
                values[spec.name] = .null
                continue
            }
            switch spec.kind {
            case .text: values[spec.name] = .text(row[column])
            case .number: values[spec.name] = .number(row[column])
            case .bool: values[spec.name] = .bool((row[column] as Int64) != 0)
            }
        }
        return values
    }

    /// Whether a field value fits this column (null always does).
}

/// The `versions` column: JSON of field → HLC, compacted with a `"*"` entry that stands for
/// every field of the type not listed. Most records are written whole and rarely edited, so
/// this keeps a row's bookkeeping to one timestamp instead of one per field.
enum VersionsCoding {
    static func encode(_ versions: [String: HLC], type: EntityType) -> String {
        // The common case: a record written whole by one change, never deleted.
        if versions.count == type.fields.count, let first = versions.first?.value,
            versions.allSatisfy({ $0.value == first && type.spec($0.key) != nil })
        {
            return "{\"*\":\"" + first.description + "\"}"
        }
        let coversAllFields = type.fields.allSatisfy { versions[$0.name] != nil }
        var common: HLC?
        if coversAllFields {
            var counts: [HLC: Int] = [:]
            for spec in type.fields { counts[versions[spec.name]!, default: 0] += 1 }
            common = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        }
        var entries: [(field: String, version: HLC)] = []
        entries.reserveCapacity(versions.count)
        for (field, version) in versions where field == EntityType.deletedField || type.spec(field) != nil {
            if let common, version == common, field != EntityType.deletedField { continue }
            entries.append((field, version))
        }
        entries.sort { $0.field < $1.field }
        // "*" sorts before every field name (letters and "_"), so the common version comes first.
        var out = "{"
        out.reserveCapacity(2 + (entries.count + 1) * 48)
        var first = true
        if let common {
            out += "\"*\":"
            CanonicalJSON.appendString(common.description, to: &out)
            first = false
        }
        for entry in entries {
            if !first { out += "," }
            first = false
            CanonicalJSON.appendString(entry.field, to: &out)
            out += ":"
            CanonicalJSON.appendString(entry.version.description, to: &out)
        }
        return out + "}"
    }

    static func decode(_ text: String, type: EntityType) -> [String: HLC]? {
        guard let entries = FlatJSON.stringObject(text) else { return nil }
        var versions: [String: HLC] = [:]
        for (field, stamp) in entries {
            guard let version = HLC(stamp) else { return nil }
            versions[field] = version
        }
        if let common = versions.removeValue(forKey: "*") {
            for spec in type.fields where versions[spec.name] == nil { versions[spec.name] = common }
        }
        return versions
    }
}

/// A parser for the flat `{"key":"value",...}` objects the store itself writes (no escapes);
/// anything else is handed to JSONDecoder.
enum FlatJSON {
    static func stringObject(_ text: String) -> [String: String]? {
        let bytes = Array(text.utf8)
        if bytes.contains(UInt8(ascii: "\\")) {
            return try? CanonicalJSON.decodeStringObject(text)
        }
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        var result: [String: String] = [:]
        var index = 1
        func readString() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let start = index + 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
            guard end < bytes.count else { return nil }
            index = end + 1
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        while index < bytes.count - 1 {
            guard let key = readString(), index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            guard let value = readString() else { return nil }
            result[key] = value
            if index < bytes.count - 1 {
                guard bytes[index] == UInt8(ascii: ",") else { return nil }
                index += 1
            }
        }
        return result
    }
}
