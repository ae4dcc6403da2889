import GRDB

/// Raw statements prepared once per transaction (or read) and reused for every row.
final class StatementCache {
    let db: Database
    private var statements: [String: RawStatement] = [:]

    init(_ db: Database) {
        self.db = db
    }

    func prepared(_ sql: String) throws -> RawStatement {
        if let statement = statements[sql] { return statement }
        let statement = try RawStatement(db, sql: sql)
        statements[sql] = statement
        return statement
    }
}
