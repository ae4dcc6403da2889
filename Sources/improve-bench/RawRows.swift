import Foundation
import GRDBSQLite

/// Rows copied out of a store file and inserted again with nothing but prepared statements.
struct RawRows {
    /// Observation rows: id, deleted, versions, measure, unit, site, period, numerator, denominator, value, note, recorded_by.
    var observations: [[SQLiteValue]] = []
    /// Change rows: id, replica, type, entity, site, hlc, author, fields, base.
    var changes: [[SQLiteValue]] = []

    enum SQLiteValue {
        case null, integer(Int64), real(Double), text(String)
    }

    static let observationColumns =
        "id, deleted, versions, measure, unit, site, period, numerator, denominator, value, note, recorded_by"
    static let changeColumns = "id, replica, type, entity, site, hlc, author, fields, base"

    static func read(from path: String, afterSequence: Int64) throws -> RawRows {
        let db = try RawDatabase(path: path)
        var rows = RawRows()
        rows.observations = try db.query("SELECT \(observationColumns) FROM observation")
        rows.changes = try db.query("SELECT \(changeColumns) FROM changes WHERE seq > \(afterSequence) ORDER BY seq")
        return rows
    }

    static func readChanges(from path: String) throws -> RawRows {
        var rows = RawRows()
        rows.changes = try RawDatabase(path: path).query("SELECT \(changeColumns) FROM changes ORDER BY seq")
        return rows
    }

    /// Inserts the change rows alone in one transaction; returns the seconds it took.
    func insertChanges(into path: String) throws -> Double {
        let db = try RawDatabase(path: path)
        let start = DispatchTime.now()
        try db.exec("BEGIN")
        let change = try db.prepare("INSERT INTO changes (\(Self.changeColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        for row in changes { try db.run(change, row) }
        sqlite3_finalize(change)
        try db.exec("COMMIT")
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Inserts every row in one transaction and returns the seconds it took.
    func insert(into path: String) throws -> Double {
        let db = try RawDatabase(path: path)
        let start = DispatchTime.now()
        try db.exec("BEGIN")
        let observation = try db.prepare(
            "INSERT INTO observation (\(Self.observationColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        let change = try db.prepare("INSERT INTO changes (\(Self.changeColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        for (observationRow, changeRow) in zip(observations, changes) {
            try db.run(observation, observationRow)
            try db.run(change, changeRow)
        }
        sqlite3_finalize(observation)
        sqlite3_finalize(change)
        try db.exec("COMMIT")
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// The thinnest wrapper over the SQLite C API that the baseline needs.
final class RawDatabase {
    private var handle: OpaquePointer?

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String) throws {
        guard sqlite3_open(path, &handle) == SQLITE_OK else { throw Failure(description: "cannot open \(path)") }
        try exec("PRAGMA journal_mode = WAL")
        try exec("PRAGMA cache_size = -65536")
    }

    deinit { sqlite3_close(handle) }

    func exec(_ sql: String) throws {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw failure() }
    }

    func prepare(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else { throw failure() }
        return statement
    }

    func run(_ statement: OpaquePointer?, _ values: [RawRows.SQLiteValue]) throws {
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .null: sqlite3_bind_null(statement, position)
            case .integer(let number): sqlite3_bind_int64(statement, position, number)
            case .real(let number): sqlite3_bind_double(statement, position, number)
            case .text(let text): sqlite3_bind_text(statement, position, text, -1, Self.transient)
            }
        }
        guard sqlite3_step(statement) == SQLITE_DONE else { throw failure() }
        sqlite3_reset(statement)
    }

    func query(_ sql: String) throws -> [[RawRows.SQLiteValue]] {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        var rows: [[RawRows.SQLiteValue]] = []
        let columns = sqlite3_column_count(statement)
        while sqlite3_step(statement) == SQLITE_ROW {
            var row: [RawRows.SQLiteValue] = []
            for column in 0..<columns {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: row.append(.real(sqlite3_column_double(statement, column)))
                case SQLITE_TEXT: row.append(.text(String(cString: sqlite3_column_text(statement, column))))
                default: row.append(.null)
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Steps through a query's rows, turning text columns into Swift strings and numbers into
    /// doubles as a reader that keeps them would, and returns how many rows and a checksum (so
    /// the work cannot be skipped).
    func scan(_ sql: String) throws -> (rows: Int, checksum: Double) {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        let columns = sqlite3_column_count(statement)
        var rows = 0
        var checksum = 0.0
        while sqlite3_step(statement) == SQLITE_ROW {
            rows += 1
            for column in 0..<columns {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_TEXT: checksum += Double(String(cString: sqlite3_column_text(statement, column)).utf8.count)
                case SQLITE_FLOAT, SQLITE_INTEGER: checksum += sqlite3_column_double(statement, column)
                default: break
                }
            }
        }
        return (rows, checksum)
    }

    private func failure() -> Failure { Failure(description: String(cString: sqlite3_errmsg(handle))) }

    /// SQLITE_TRANSIENT: SQLite copies the bytes before the Swift string goes away.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
