import ImprovementCore

extension Device {
    /// Every live record of a type, in id order (read in pages).
    func all<R: SyncedRecord>(_ type: R.Type) throws -> [R] {
        var result: [R] = []
        var after: String?
        while true {
            let page = try store.records(type, after: after, limit: 500)
            result += page
            guard page.count == 500, let last = page.last else { return result }
            after = last.id
        }
    }

    /// One live record, or an error that says it is not on this device.
    func require<R: SyncedRecord>(_ type: R.Type, id: String, noun: String) throws -> R {
        guard let record = try store.record(type, id: id) else {
            throw CLIError(
                "There is no \(noun) \"\(id)\" on this device. Check the spelling, list them with "
                    + "improve \(R.entityType.name) list, or sync to receive it.")
        }
        return record
    }

    /// Saves a new record (validated by the store, in one transaction). An existing live record
    /// with the same id is refused unless `replace` is set, so a reused id never overwrites
    /// someone's work by accident. Returns true when something changed.
    @discardableResult
    func add<R: SyncedRecord>(_ record: R, author: String, replace: Bool, noun: String) throws -> Bool {
        try store.write(author: author) { writer in
            if !replace, try writer.fields(of: R.entityType, id: record.id) != nil {
                throw CLIError(
                    "There is already a \(noun) \"\(record.id)\" on this device. Choose another id, or add "
                        + "--replace to change the existing one.")
            }
            return try writer.save(record) != nil
        }
    }

    /// Saves changes to an existing record. Returns true when something changed.
    @discardableResult
    func update<R: SyncedRecord>(_ record: R, author: String) throws -> Bool {
        try store.write(author: author) { writer in try writer.save(record) != nil }
    }
}
