import GRDB

extension StoreWriter {
    /// Converts a measure's data to a coarser frequency in this transaction: the old points are
    /// deleted (tombstones that sync), the measure's frequency changes, and the merged points are
    /// recorded, so the series is never a mixture. With `apply` false nothing is written.
    public func convertFrequency(
        measure id: String, to frequency: Measure.Frequency, apply: Bool = true
    ) throws
        -> FrequencyConversion
    {
        var measure = Measure(id: id, fields: try requireExisting(.measure, id))
        var points: [Observation] = []
        let ids = try String.fetchAll(
            db, sql: "SELECT id FROM observation WHERE id > ? AND id < ? AND deleted = 0 ORDER BY id",
            arguments: [id + "/", id + "0"])
        for pointID in ids {
            if let fields = try fields(of: .observation, id: pointID) {
                points.append(Observation(id: pointID, fields: fields))
            }
        }
        let plan = try FrequencyConversion.plan(measure: measure, points: points, to: frequency, author: author)
        guard apply else { return plan }
        for point in points { try delete(.observation, id: point.id) }
        measure.frequency = frequency
        try save(measure)
        for point in plan.observations {
            try point.validateShape(for: measure, today: today)
            try write(.observation, id: point.id, fields: point.fields)
        }
        return plan
    }
}
