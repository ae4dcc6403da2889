import ArgumentParser
import ImprovementCore

/// `improve conflicts [list] | resolve`: values overwritten by someone who had not seen them.
struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "Lists and settles conflicts: values that were overwritten by someone who had not seen them.",
        discussion: """
            When two devices change the same value without seeing each other's change, the later one \
            is kept (the winner) and the other (the loser) is kept aside as a conflict, identical on every \
            device. A coordinator decides: --keep winner confirms the current value, --keep loser puts the \
            other one back. The decision syncs to every device.
            """,
        subcommands: [List.self, Resolve.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lists open conflicts (with --all, settled ones too).")

        @Flag(help: "Include conflicts that have been settled.") var all = false
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let conflicts = try Device.open(location).store.conflicts(includeResolved: all)
            let empty = all ? "No conflicts on this device." : "No open conflicts on this device."
            format.print(
                conflicts.map(RecordOutput.json),
                table: conflicts.isEmpty ? empty : conflicts.map(RecordOutput.text).joined(separator: "\n\n"))
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settles a conflict by keeping the winner or the loser.")

        @Argument(help: "The conflict's id (from improve conflicts).") var id: String
        @Option(help: "winner (keep the current value) or loser (put the other value back).") var keep: ConflictChoice
        @OptionGroup var options: DeviceOptions

        func validate() throws {
            try Input.text(id, option: "ID", example: "56eb15a630bf5c41")
        }

        func run() throws {
            let device = try options.open()
            let conflict: Conflict
            do {
                conflict = try device.store.write(author: device.author(options.author)) { writer in
                    try writer.resolveConflict(id: id, keep: keep)
                }
            } catch StoreError.notFound(type: "conflict", id: _) {
                throw CLIError(
                    "There is no conflict \"\(id)\" on this device. List them with improve conflicts --all "
                        + "(sync first to receive the newest).")
            }
            let side = keep == .winner ? conflict.winner : conflict.loser
            let value = conflict.kind == .delete && keep == .winner ? "the deletion" : NumberText.value(side.value)
            Console.line(
                "Kept \(value) (by \(side.author)) for \(conflict.field) of \(conflict.type) \(conflict.entity). "
                    + "The decision reaches the other devices with the next improve sync.")
        }
    }
}
