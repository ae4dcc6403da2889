import ArgumentParser
import ImprovementCore

/// `improve held`: changes the server refused, set aside so the rest of the queue could be sent.
struct HeldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "held",
        abstract: "Lists changes the server refused and set aside (nothing is lost), or releases one to send again.",
        subcommands: [List.self, Release.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the changes set aside and why.")
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let device = try Device.open(location)
            let held = try device.store.heldChanges()
            let items = held.map { item in
                JSONOut.object([
                    ("id", .string(item.change.id)), ("type", .string(item.change.type)),
                    ("entity", .string(item.change.entity)), ("site", .text(item.change.site)),
                    ("code", .string(item.code)), ("reason", .string(item.reason)),
                ])
            }
            let text =
                held.isEmpty
                ? "No changes are set aside."
                : held.map { "\($0.change.id)  \($0.change.type) \($0.change.entity)\n  \($0.code): \($0.reason)" }
                    .joined(separator: "\n")
            format.print(items, table: text)
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Puts a held change back in the queue; the next improve sync sends it again.")
        @Argument(help: "The change id (from improve held).") var id: String
        @OptionGroup var location: StoreLocation

        func run() throws {
            let device = try Device.open(location)
            do {
                try device.store.releaseHeldChange(id: id)
            } catch let error as StoreError {
                throw CLIError("\(error.description) List the held changes with improve held.")
            }
            Console.line("Released \(id): improve sync will send it again.")
        }
    }
}
