import Foundation
import ImprovementServer
import Logging
import PostgresNIO

/// The PostgreSQL baseline: the same change rows inserted with plain batched `INSERT ... SELECT
/// FROM unnest(...)` statements (the fastest form short of COPY) into a table with the change
/// log's columns, unique id and sequence, in one transaction.
enum PostgresRawRows {
    static func insertChanges(_ rows: RawRows, into location: PostgresLocation, logger: Logger) async throws -> Double {
        let connection = try await PostgresConnection.connect(
            configuration: try location.connectionConfiguration(), id: 1, logger: logger)
        do {
            let seconds = try await insert(rows, on: connection, logger: logger)
            try await connection.close()
            return seconds
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private static func insert(
        _ rows: RawRows, on connection: PostgresConnection, logger: Logger
    ) async throws -> Double {
        try await connection.query(
            """
            CREATE TABLE raw_change (seq BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, replica TEXT NOT NULL,
                type TEXT NOT NULL, entity TEXT NOT NULL, site TEXT, hlc TEXT NOT NULL, author TEXT NOT NULL,
                fields TEXT NOT NULL, base TEXT NOT NULL)
            """, logger: logger)
        func text(_ value: RawRows.SQLiteValue) -> String {
            if case .text(let text) = value { return text }
            return ""
        }
        let start = DispatchTime.now()
        try await connection.query("BEGIN", logger: logger)
        var seq: Int64 = 0
        for chunk in stride(from: 0, to: rows.changes.count, by: 5000) {
            let batch = rows.changes[chunk..<min(chunk + 5000, rows.changes.count)]
            var columns = Array(repeating: [String](), count: 9)
            var seqs: [Int64] = []
            for row in batch {
                seq += 1
                seqs.append(seq)
                for index in 0..<9 { columns[index].append(text(row[index])) }
            }
            try await connection.query(
                """
                INSERT INTO raw_change (seq, id, replica, type, entity, site, hlc, author, fields, base)
                SELECT u.seq, u.id, u.replica, u.type, u.entity, NULLIF(u.site, ''), u.hlc, u.author, u.fields, u.base
                FROM unnest(\(seqs)::int8[], \(columns[0])::text[], \(columns[1])::text[], \(columns[2])::text[],
                    \(columns[3])::text[], \(columns[4])::text[], \(columns[5])::text[], \(columns[6])::text[],
                    \(columns[7])::text[], \(columns[8])::text[])
                    AS u(seq, id, replica, type, entity, site, hlc, author, fields, base)
                """, logger: logger)
        }
        try await connection.query("COMMIT", logger: logger)
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
