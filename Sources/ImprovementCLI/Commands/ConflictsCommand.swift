import ArgumentParser
import ImprovementCore

/// `improve conflicts [list] | resolve`: values overwritten by someone who had not seen them.
struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "Lists and settles conflicts: values that were overwritten by someone who had not seen them.",
        discussion: """
            When two devices change the same record without seeing each other's change, the later \
            version is kept (the winner) and the other (the loser) is kept aside as a conflict, identical \
            on every device: one entry per record. A coordinator decides: --keep winner confirms the \
            current version, --keep loser puts the other one back, whole. The decision syncs to every \
            device.
            """,
        subcommands: [List.self, Resolve.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lists open conflicts, one per record (with --all, settled ones too).",
            discussion: """
                Each entry shows both versions of the record whole: the values they disagree on, who \
                recorded each, on which device and when, and the fields they agree on.
                """)

        @Flag(help: "Include conflicts that have been settled.") var all = false
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let records = try Device.open(location).store.recordConflicts(includeResolved: all)
            let empty = all ? "No conflicts on this device." : "No open conflicts on this device."
            format.print(
                records.map(ConflictOutput.json),
                table: records.isEmpty ? empty : records.map(ConflictOutput.text).joined(separator: "\n\n"))
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settles a record's conflict by keeping one whole version (the winner or the loser).",
            discussion: """
                Every conflicting field of the record takes the kept version's value, and "recorded \
                by" becomes that version's author, so the record is never a mixture of the two. The \
                decision and the values it puts back are one change set: the server accepts both or \
                neither.

                  improve conflicts resolve 3f0c9a1d2b7e4c55 --keep loser
                  improve conflicts resolve 3f0c9a1d2b7e4c55 --keep winner --field note
                  improve conflicts resolve --all --measure falls-rate --keep loser
                """)

        @Argument(help: "The conflict's id (from improve conflicts), the record's id, or a field conflict's id.")
        var id: String?
        @Option(help: "winner (keep the current version) or loser (put the other version back).")
        var keep: ConflictChoice
        @Option(help: "Settle this field only (for example note), leaving the record's other conflicts open.")
        var field: String?
        @Flag(help: "Settle every open conflict (narrowed by --measure, --unit and --site).") var all = false
        @Option(help: "With --all: only records of this measure.") var measure: String?
        @Option(help: "With --all: only records of this ward or team.") var unit: String?
        @Option(help: "With --all: only records of this site.") var site: String?
        @OptionGroup var options: DeviceOptions

        func validate() throws {
            if all {
                guard id == nil else { throw ValidationError("Give a conflict id or --all, not both") }
                guard field == nil else {
                    throw ValidationError("--field settles one record's field: give the conflict id")
                }
            } else {
                guard let id else { throw ValidationError("Give the conflict's id (see improve conflicts), or --all") }
                try Input.text(id, option: "ID", example: "56eb15a630bf5c41")
                guard measure == nil, unit == nil, site == nil else {
                    throw ValidationError("--measure, --unit and --site narrow --all: add --all, or leave them out")
                }
            }
        }

        func run() throws {
            let device = try options.open()
            let author = device.author(options.author)
            if all {
                let settled = try device.store.write(author: author) { writer in
                    try writer.recordConflicts().filter(matches).map { try writer.resolve($0, keep: keep) }
                }
                guard !settled.isEmpty else {
                    throw CLIError("No open conflict matches\(filterText). Nothing was saved.")
                }
                let fields = settled.reduce(0) { $0 + $1.fields.count }
                Console.line(
                    "Settled \(settled.count) record\(settled.count == 1 ? "" : "s") "
                        + "(\(fields) field\(fields == 1 ? "" : "s")) by keeping the \(keep.rawValue)'s version\(filterText). "
                        + "The decisions reach the other devices with the next improve sync.")
                return
            }
            let selector = id ?? ""
            let outcome = try device.store.write(author: author) { writer -> RecordResolution in
                guard let record = try writer.recordConflict(named: selector) else {
                    throw CLIError(
                        "There is no conflict \"\(selector)\" on this device. List them with improve conflicts --all "
                            + "(sync first to receive the newest). Nothing was saved.")
                }
                if let field, !record.fields.contains(field) {
                    throw CLIError(
                        "Conflict \(record.id) is about \(record.fields.joined(separator: ", ")), not \(field). "
                            + "Nothing was saved.")
                }
                guard !record.open(field: field).isEmpty else {
                    throw CLIError(
                        "Conflict \(record.id) is already settled (the \(record.resolution?.rawValue ?? "decision") "
                            + "was kept). Nothing was saved.")
                }
                return try writer.resolve(record, keep: keep, field: field)
            }
            let record = outcome.record
            let version = keep == .winner ? record.winner : record.loser
            let values = ConflictOutput.describe(version, fields: outcome.fields, type: record.type)
            Console.line(
                "Kept \(values) for \(record.type) \(record.entity) (\(outcome.fields.count) "
                    + "field\(outcome.fields.count == 1 ? "" : "s") settled). "
                    + "The decision reaches the other devices with the next improve sync.")
        }

        private var filterText: String {
            let parts = [measure.map { "measure \($0)" }, unit.map { "unit \($0)" }, site.map { "site \($0)" }]
                .compactMap { $0 }
            return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
        }

        private func matches(_ record: RecordConflict) -> Bool {
            let values = record.winner.values
            if let site, record.site != site { return false }
            if let measure, values["measure"]?.text != measure, !(record.type == "measure" && record.entity == measure)
            {
                return false
            }
            if let unit, values["unit"]?.text != unit, !(record.type == "unit" && record.entity == unit) {
                return false
            }
            return true
        }
    }
}
