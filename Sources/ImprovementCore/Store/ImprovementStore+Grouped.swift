import GRDB

extension ImprovementStore {
    /// Runs `count` independent units of work in one write transaction, each in a savepoint of
    /// its own: a unit that throws is rolled back whole and leaves the others alone, and every
    /// unit that succeeded becomes durable with the one commit. A server uses it for the pushes
    /// waiting for SQLite's single writer: one commit (and one sync to disk) for all of them.
    ///
    /// A failure of SQLite itself (disk full, I/O error) may have undone more than the unit's
    /// savepoint, so it abandons the whole group: every unit then fails with it, as does every
    /// unit when the commit fails. A result is a success only once it is committed.
    package func writeGrouped<Output>(
        _ count: Int, _ unit: (_ index: Int, _ session: GroupedWrite) throws -> Output
    ) -> [Result<Output, any Error>] {
        do {
            return try database.write { db in
                var results: [Result<Output, any Error>] = []
                results.reserveCapacity(count)
                for index in 0..<count {
                    do {
                        var output: Output?
                        try db.inSavepoint {
                            output = try unit(index, GroupedWrite(store: self, db: db))
                            return .commit
                        }
                        // inSavepoint runs the body exactly once, and returned normally.
                        results.append(.success(output!))
                    } catch let error where Self.failsTheTransaction(error) {
                        throw error
                    } catch {
                        results.append(.failure(error))
                    }
                }
                return results
            }
        } catch {
            return Array(repeating: .failure(error), count: count)
        }
    }

    /// Which of these resolution records the change log holds a change of: what a server
    /// has accepted (see `DecisionGroup`).
    static func loggedResolutions(_ db: Database, among ids: Set<String>) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        return Set(
            try String.fetchAll(
                db, sql: "SELECT DISTINCT entity FROM changes WHERE type = 'resolution' AND entity IN (\(marks))",
                arguments: StatementArguments(Array(ids))))
    }

    /// Errors raised by SQLite rather than by the store's own rules.
    private static func failsTheTransaction(_ error: any Error) -> Bool {
        if error is DatabaseError { return true }
        if case StoreError.database = error { return true }
        return false
    }
}

/// What one unit of `writeGrouped` may do, inside its savepoint: it sees the units before it.
package struct GroupedWrite {
    let store: ImprovementStore
    let db: Database

    /// Applies changes from other replicas as `ImprovementStore.apply` does; a refusal by
    /// `authorize` throws, and the unit's savepoint is rolled back.
    package func apply(
        _ changes: [Change], rulesChecked: Bool = false, authorize: (Change, _ storedSite: String??) throws -> Void
    ) throws -> ApplyReport {
        try store.apply(changes, in: db, rulesChecked: rulesChecked, authorize: authorize)
    }

    /// Which of these resolution records the change log holds a change of, counting the units
    /// before this one.
    package func loggedResolutions(among ids: Set<String>) throws -> Set<String> {
        try ImprovementStore.loggedResolutions(db, among: ids)
    }

    /// Reads the server's own tables (its log id, say) as this unit sees them.
    package func read<T>(_ body: (Database) throws -> T) rethrows -> T {
        try body(db)
    }

    /// The highest sequence number in the log, counting the units before this one.
    package func lastSequence() throws -> Int64 {
        try ImprovementStore.lastSequence(db)
    }
}
