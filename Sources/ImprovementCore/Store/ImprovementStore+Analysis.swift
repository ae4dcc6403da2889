import GRDB

/// One observation as the analysis reads it: only the columns it needs, read with a raw statement.
package struct ObservationPoint: Sendable {
    package var measure: String
    package var unit: String
    package var site: String
    package var period: String
    package var numerator: Double?
    package var denominator: Double?
    package var value: Double?
    package var hasNote: Bool
    /// The record holds more than one version: some field was written after it was created.
    package var edited: Bool
    /// The note itself, when there is one: a point with a note is explained.
    package var note: String? = nil
}

extension ImprovementStore {
    /// Calls `body` with every live observation of the given measures (all when nil), in
    /// measure, unit, period order.
    /// `from` and `below` bound the record ids read (`from` ≤ id < `below`).
    package func forEachObservationPoint(
        measures: Set<String>?, from: String? = nil, below: String? = nil, _ body: (ObservationPoint) throws -> Void
    ) throws {
        try read { db in
            let statement = try RawStatement(
                db,
                sql: """
                    SELECT measure, unit, site, period, numerator, denominator, value, note IS NOT NULL AND note <> '',
                        instr(versions, ',') > 0, note
                    FROM observation
                    WHERE deleted = 0 AND measure IS NOT NULL AND unit IS NOT NULL AND site IS NOT NULL AND period IS NOT NULL
                        AND id >= ? AND id < ?
                    ORDER BY id
                    """)
            // Both bounds are plain ranges on the primary key, so each reader seeks to its half.
            // Record ids are ASCII, so U+007F sorts after every one of them.
            statement.bind(1, from ?? "")
            statement.bind(2, below ?? "\u{7F}")
            while try statement.step() {
                guard let measure = statement.text(0) else { continue }
                if let measures, !measures.contains(measure) { continue }
                try body(
                    ObservationPoint(
                        measure: measure, unit: statement.text(1) ?? "", site: statement.text(2) ?? "",
                        period: statement.text(3) ?? "", numerator: statement.isNull(4) ? nil : statement.double(4),
                        denominator: statement.isNull(5) ? nil : statement.double(5),
                        value: statement.isNull(6) ? nil : statement.double(6), hasNote: statement.int(7) != 0,
                        edited: statement.int(8) != 0, note: statement.isNull(9) ? nil : statement.text(9)))
            }
        }
    }

}
