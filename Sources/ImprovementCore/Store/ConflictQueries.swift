import GRDB

/// Reading and writing conflict records.
package enum ConflictQueries {
    private static let columns = """
        c.id, c.kind, c.type, c.entity, c.site, c.field, c.winner_value, c.winner_author, c.winner_hlc,
        c.loser_value, c.loser_author, c.loser_hlc, r.keep
        """

    static func insert(_ db: Database, _ conflict: Conflict) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO conflicts (id, kind, type, entity, site, field, winner_value, winner_author,
                    winner_hlc, loser_value, loser_author, loser_hlc)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            conflict.id, conflict.kind.rawValue, conflict.type, conflict.entity, conflict.site, conflict.field,
            conflict.winner.value.json, conflict.winner.author, conflict.winner.hlc.description,
            conflict.loser.value.json, conflict.loser.author, conflict.loser.hlc.description,
        ])
    }

    static func find(_ db: Database, id: String) throws -> Conflict? {
        let sql = """
            SELECT \(columns) FROM conflicts c
            LEFT JOIN resolution r ON r.id = c.id AND r.deleted = 0
            WHERE c.id = ?
            """
        return try Row.fetchOne(db, sql: sql, arguments: [id]).map(conflict(from:))
    }

    /// Open conflicts, and with `includeResolved` the settled ones too, oldest loser first. With
    /// `touched`, only those of the records it names, and those named by the resolution records
    /// among them: what a pull page sends, read through the index instead of decoding every
    /// conflict the server holds.
    package static func list(
        _ db: Database, includeResolved: Bool, touched: TouchedRecords? = nil
    ) throws -> [Conflict] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if !includeResolved { conditions.append("r.id IS NULL") }
        if let touched {
            conditions.append(
                "((c.type, c.entity) IN (\(TouchedRecords.pairs)) OR c.id IN (\(TouchedRecords.resolutions)))")
            arguments += [touched.json, touched.json]
        }
        let sql = """
            SELECT \(columns) FROM conflicts c
            LEFT JOIN resolution r ON r.id = c.id AND r.deleted = 0
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY c.loser_hlc, c.id
            """
        var result = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(conflict(from:))
        if includeResolved {
            // Keeping the loser writes its value back, which settles the conflict for good;
            // the resolution record is then what remembers it.
            var settled = """
                SELECT r.id, r.kind, r.record_type, r.entity, r.site, r.field, r.winner_value, r.winner_author,
                    r.winner_hlc, r.loser_value, r.loser_author, r.loser_hlc, r.keep
                FROM resolution r
                WHERE r.deleted = 0 AND NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.id = r.id)
                    AND r.record_type IS NOT NULL AND r.entity IS NOT NULL AND r.field IS NOT NULL
                    AND r.winner_value IS NOT NULL AND r.winner_author IS NOT NULL AND r.winner_hlc IS NOT NULL
                    AND r.loser_value IS NOT NULL AND r.loser_author IS NOT NULL AND r.loser_hlc IS NOT NULL
                """
            var settledArguments: StatementArguments = []
            if let touched {
                settled += """

                        AND ((r.record_type, r.entity) IN (\(TouchedRecords.pairs))
                            OR r.id IN (\(TouchedRecords.resolutions)))
                    """
                settledArguments += [touched.json, touched.json]
            }
            settled += "\nORDER BY r.loser_hlc, r.id"
            result += try Row.fetchAll(db.cachedStatement(sql: settled), arguments: settledArguments).map(
                conflict(from:))
        }
        return result
    }

    private static func conflict(from row: Row) throws -> Conflict {
        func side(_ valueIndex: Int) throws -> Conflict.Side {
            let stamp: String = row[valueIndex + 2]
            guard let hlc = HLC(stamp) else { throw StoreError.corrupt("clock of a conflict") }
            let value = try decodeValue(row[valueIndex])
            return Conflict.Side(value: value, author: row[valueIndex + 1], hlc: hlc)
        }
        var conflict = Conflict(
            kind: Conflict.Kind(rawValue: row[1] ?? "edit") ?? .edit, type: row[2], entity: row[3], site: row[4],
            field: row[5], winner: try side(6), loser: try side(9))
        conflict.id = row[0]
        conflict.resolution = (row[12] as String?).flatMap(ConflictChoice.init(rawValue:))
        return conflict
    }

    private static func decodeValue(_ json: String) throws -> FieldValue {
        do {
            return try CanonicalJSON.decodeFields("{\"v\":" + json + "}")["v"] ?? .null
        } catch {
            throw StoreError.corrupt("value of a conflict")
        }
    }
}
