import GRDB

/// Raw statements prepared once per transaction (or read) and reused for every row.
final class StatementCache {
    let db: Database
    /// A short list searched in order rather than a dictionary: a transaction uses a handful of
    /// statements, their SQL comes from the same few strings (compared by storage first), and
    /// hashing a few hundred bytes of SQL for every row written cost more than the lookup.
    private var statements: [(sql: String, statement: RawStatement)] = []

    init(_ db: Database) {
        self.db = db
    }

    func prepared(_ sql: String) throws -> RawStatement {
        for entry in statements where entry.sql == sql { return entry.statement }
        let statement = try RawStatement(db, sql: sql)
        statements.append((sql, statement))
        return statement
    }
}
