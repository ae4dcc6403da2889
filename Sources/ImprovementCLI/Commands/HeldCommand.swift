import ArgumentParser
import ImprovementCore

/// `improve held`: changes the server refused, set aside so the rest of the queue could be sent.
struct HeldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "held",
        abstract:
            "Lists changes the server refused and set aside (nothing is lost), releases one to send again, or "
            + "discards one.",
        subcommands: [List.self, Release.self, Discard.self], defaultSubcommand: List.self)

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

    struct Discard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Removes a held change from this device and undoes what it changed here.",
            discussion: """
                Use it when a refused change should not be made after all (a ward a member added by \
                mistake, a decision only a coordinator may take). The change is removed from this \
                device's log, and the record it wrote is rebuilt from the changes that remain, so it \
                returns to what it was before; a record only that change wrote disappears. The server \
                never accepted the change, so no other device has it. Prints each field it undoes, \
                before and after. All of it happens in one step: on any error nothing is changed.
                """)
        @Argument(help: "The change id (from improve held).") var id: String?
        @Flag(help: "Discard every held change (without asking), and list them.") var all = false
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func validate() throws {
            if all, id != nil { throw ValidationError("Give a change id or --all, not both.") }
            if !all, id == nil {
                throw ValidationError(
                    "Say which held change to discard: improve held discard ID (ids from improve held), or --all.")
            }
        }

        func run() throws {
            let device = try Device.open(location)
            let discarded: [DiscardedChange]
            do {
                if let id {
                    discarded = [try device.store.discardHeldChange(id: id)]
                } else {
                    discarded = try device.store.discardAllHeldChanges()
                }
            } catch StoreError.notFound(type: _, id: let id) {
                throw CLIError(
                    "There is no held change \"\(id)\" on this device, so nothing was discarded. List the held "
                        + "changes with improve held.")
            }
            format.print(discarded.map(Self.json), table: Self.text(discarded))
            // Data recorded on a ward that is gone now (a device that did not know its role yet
            // accepted both): say so rather than leave them unexplained.
            for item in discarded where item.recordRemoved && item.change.type == EntityType.unit.name {
                let unit = item.change.entity
                let orphans = try device.store.observations(ObservationQuery(unit: unit)).count
                guard orphans > 0 else { continue }
                Console.note(
                    "\(orphans) data point\(orphans == 1 ? " is" : "s are") recorded on this device for unit \(unit), "
                        + "which no longer exists here. Ask a coordinator to add the unit \(unit), or remove "
                        + "\(orphans == 1 ? "it" : "them") with improve record MEASURE --unit \(unit) --period DATE --delete."
                )
            }
        }

        static func text(_ discarded: [DiscardedChange]) -> String {
            guard !discarded.isEmpty else { return "No changes are set aside: nothing was discarded." }
            return discarded.map { item in
                let change = item.change
                var lines = ["Discarded \(change.id): \(change.type) \(change.entity)."]
                if item.recordRemoved {
                    lines.append(
                        "  The \(change.type) \(change.entity) is gone from this device: only this change wrote it.")
                } else {
                    for undo in item.fields {
                        lines.append("  \(label(undo.field)): \(shown(undo.before)) → \(shown(undo.after))")
                    }
                }
                return lines.joined(separator: "\n")
            }.joined(separator: "\n")
        }

        static func json(_ item: DiscardedChange) -> JSONOut {
            JSONOut.object([
                ("id", .string(item.change.id)), ("type", .string(item.change.type)),
                ("entity", .string(item.change.entity)), ("recordRemoved", .bool(item.recordRemoved)),
                (
                    "fields",
                    .array(
                        item.fields.map { undo in
                            .object([
                                ("field", .string(undo.field)),
                                ("before", undo.before.map(NumberText.jsonValue) ?? .null),
                                ("after", undo.after.map(NumberText.jsonValue) ?? .null),
                            ])
                        })
                ),
            ])
        }

        private static func label(_ field: String) -> String { field == EntityType.deletedField ? "deleted" : field }

        private static func shown(_ value: FieldValue?) -> String {
            guard let value else { return "(none)" }
            if case .text(let text) = value { return "\"\(text)\"" }
            return NumberText.value(value)
        }
    }
}
