import GRDB
import GRDBSQLite

/// A prepared statement driven through the SQLite C API, for the store's hot paths (recording,
/// merging, the server's pull pages), where building GRDB argument arrays and rows costs more
/// than SQLite's own work.
///
/// The statement itself is GRDB's, cached for the connection's lifetime: a server applies many
/// small batches, and preparing every statement again for each one cost more than running it.
/// It runs on the connection of the GRDB transaction that created it and must not outlive
/// that transaction's `StoreWriter`.
package final class RawStatement {
    /// Held so GRDB does not finalize the statement while it is in use here.
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer

    package init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw StoreError.database("the database is closed") }
        do {
            statement = try db.cachedStatement(sql: sql)
        } catch let error as DatabaseError {
            throw StoreError.database(error.message ?? error.description)
        }
        handle = statement.sqliteStatement
        self.connection = connection
        // A cached statement may have been left mid-query or with old values bound.
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    deinit { sqlite3_reset(handle) }

    package func bind(_ index: Int32, _ text: String?) {
        guard let text else {
            sqlite3_bind_null(handle, index)
            return
        }
        // Through the UTF-8 storage: passing the String itself would copy it into a C string first.
        // (A nil pointer would bind NULL, so an empty string takes the plain path.)
        let bound = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                _ = sqlite3_bind_text(handle, index, chars, Int32(bytes.count), RawStatement.transient)
            }
            return true
        }
        if bound != true { sqlite3_bind_text(handle, index, text, Int32(text.utf8.count), RawStatement.transient) }
    }

    func bind(_ index: Int32, _ number: Double?) {
        if let number { sqlite3_bind_double(handle, index, number) } else { sqlite3_bind_null(handle, index) }
    }

    package func bind(_ index: Int32, _ number: Int64) {
        sqlite3_bind_int64(handle, index, number)
    }

    /// Runs a statement that returns no rows; returns how many rows it changed.
    @discardableResult
    func execute() throws -> Int {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw StoreError.database(String(cString: sqlite3_errmsg(connection))) }
        return Int(sqlite3_changes(connection))
    }

    /// Steps to the next row; false when there are no more (the statement is then reset).
    package func step() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw StoreError.database(String(cString: sqlite3_errmsg(connection))) }
        return false
    }

    /// Ends a query early so the statement can run again.
    package func reset() { sqlite3_reset(handle) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    package func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// A text column's UTF-8 bytes, without making a `String` of them; nil when it is NULL. Valid
    /// only until the statement steps again or is reset.
    package func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column)))
    }

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    package func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// SQLITE_TRANSIENT: SQLite copies the bytes, so Swift may free them right after binding.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
