import ImprovementCore

/// Record-level conflicts as `improve conflicts` prints them.
enum ConflictOutput {
    static func json(_ record: RecordConflict) -> JSONOut {
        func version(_ version: RecordConflict.Version) -> JSONOut {
            .object([
                (
                    "values",
                    .object(version.values.keys.sorted().map { ($0, NumberText.jsonValue(version.values[$0]!)) })
                ),
                ("deleted", .bool(version.deleted)), ("author", .string(version.author)),
                ("replica", .string(version.replica)), ("hlc", .string(version.hlc.description)),
                ("time", .string(NumberText.iso(version.hlc.date))),
            ])
        }
        return .object([
            ("id", .string(record.id)), ("kind", .string(record.kind.rawValue)), ("type", .string(record.type)),
            ("entity", .string(record.entity)), ("site", .text(record.site)),
            ("fields", .array(record.fields.map(JSONOut.string))),
            ("agreed", .array(record.agreed.map(JSONOut.string))),
            ("winner", version(record.winner)), ("loser", version(record.loser)),
            ("resolved", .bool(record.isResolved)), ("resolution", .text(record.resolution?.rawValue)),
            ("conflicts", .array(record.conflicts.map(RecordOutput.json))),
        ])
    }

    /// One entry as a coordinator reads it: both versions whole, and the command that settles it.
    static func text(_ record: RecordConflict) -> String {
        let place = record.site.map { " at \($0)" } ?? ""
        let count = record.fields.count
        var out = "conflict \(record.id): \(record.type) \(record.entity)\(place), "
        out +=
            record.kind == .delete
            ? "edited on one device, deleted on another\n"
            : "\(count) field\(count == 1 ? "" : "s") differ\(count == 1 ? "s" : ""): "
                + record.fields.joined(separator: ", ") + "\n"
        out += "  kept  [winner]  \(describe(record.winner, fields: record.fields, type: record.type))\n"
        out += "  other [loser]   \(describe(record.loser, fields: record.fields, type: record.type))\n"
        let agreed = record.agreed.filter { (record.winner.values[$0] ?? .null) != .null }
        if !agreed.isEmpty {
            out +=
                "  same on both:   "
                + agreed.map { "\($0) \(shown(record.winner.values[$0] ?? .null))" }
                .joined(separator: ", ") + "\n"
        }
        if let resolution = record.resolution {
            out += "  settled: the coordinator kept the \(resolution.rawValue)"
        } else {
            out += "  settle with: improve conflicts resolve \(record.id) --keep winner|loser"
            if count > 1 { out += " (one field only: add --field \(record.fields[0]))" }
        }
        return out
    }

    /// A version's conflicting values, who recorded them, and where and when it was written.
    static func describe(_ version: RecordConflict.Version, fields: [String], type: String) -> String {
        let values =
            version.deleted
            ? "deleted"
            : fields.map { "\($0) \(shown(version.values[$0] ?? .null))" }
                .joined(separator: ", ")
        let bookkeeping = EntityType.named(type)?.bookkeeping.sorted() ?? []
        let recorder = bookkeeping.lazy.compactMap { version.values[$0]?.text }.first
        var who = "by \(version.author)"
        if let recorder, !version.deleted {
            who = "recorded by \(recorder)" + (recorder == version.author ? "" : " (written by \(version.author))")
        }
        return "\(values) — \(who) on \(version.replica), \(NumberText.time(version.hlc))"
    }

    private static func shown(_ value: FieldValue) -> String {
        if case .text(let text) = value { return "\"\(text)\"" }
        return NumberText.value(value)
    }
}
