import ArgumentParser
import ImprovementCore

/// `improve history`: the audit trail of one record.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Shows every change to one record: who changed what, on which device, and when.",
        discussion: "For example: improve history observation falls-rate/ward-7/2026-11-16")

    @Argument(help: "The record type: \(EntityType.all.map(\.name).joined(separator: ", ")).") var type: String
    @Argument(help: "The record's id.") var id: String
    @OptionGroup var format: OutputFormat
    @OptionGroup var location: StoreLocation

    func validate() throws {
        guard EntityType.named(type) != nil else {
            throw ValidationError(
                "\"\(type)\" is not a record type. Choose one of: "
                    + "\(EntityType.all.map(\.name).joined(separator: ", "))."
            )
        }
    }

    func run() throws {
        let changes = try Device.open(location).store.history(of: EntityType.named(type)!, id: id)
        var table = TextTable(["time", "author", "device", "changed"])
        for logged in changes {
            let change = logged.change
            let fields = change.fields.keys.sorted().map { field in
                field == EntityType.deletedField
                    ? (change.fields[field] == .bool(true) ? "deleted" : "restored")
                    : "\(field)=\(NumberText.value(change.fields[field]!))"
            }
            table.add([NumberText.time(change.hlc), change.author, change.replica, fields.joined(separator: ", ")])
        }
        format.print(
            changes.map(RecordOutput.json), table: table.rendered(empty: "No changes to \(type) \(id) on this device."))
    }
}
