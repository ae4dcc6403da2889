import ArgumentParser
import ImprovementCore

/// `improve driver add|list`: a programme's driver diagram.
struct DriverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "driver",
        abstract: "Adds and lists driver-diagram nodes: aim, primary and secondary drivers, change ideas.",
        subcommands: [Add.self, List.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adds a node to a programme's driver diagram.",
            discussion:
                "A primary driver hangs off the aim (no --parent); a secondary one off a primary; "
                + "a change idea off a secondary, or straight off a primary when the team has not split "
                + "that driver further. improve report draws the diagram as a tree, with each change "
                + "idea's PDSA cycles."
        )

        @Argument(help: "The node's id, e.g. rounding.") var id: String
        @Option(help: "The programme whose diagram it belongs to.") var programme: String
        @Option(help: "primary, secondary or change.") var kind: DriverNode.Kind
        @Option(help: "What the driver or change idea is, in a few words.") var text: String
        @Option(
            help:
                "The node it hangs off: a primary driver for a secondary one; a secondary or primary driver for a change idea; none for a primary driver."
        ) var parent: String?
        @Option(
            name: .customLong("measure"),
            help: ArgumentHelp(
                "A measure that shows whether this node is working (repeat for several). With --replace and no --measure, the node keeps its measures.",
                valueName: "MEASURE"))
        var measures: [String] = []
        @Flag(help: "Change the node if it already exists.") var replace = false
        @OptionGroup var options: DeviceOptions

        func validate() throws {
            try Input.id(id, field: "driver id")
            try Input.id(programme, field: "programme")
            try Input.id(parent, field: "parent")
            for measure in measures { try Input.id(measure, field: "measure") }
            try Input.text(text, option: "--text", example: "Intentional rounding")
        }

        func run() throws {
            let device = try options.open()
            var linked = measures
            if replace, linked.isEmpty, let existing = try device.store.record(DriverNode.self, id: id) {
                linked = existing.measures
            }
            let node = DriverNode(
                id: id, programme: programme, kind: kind, text: text, parent: parent, measures: linked)
            let changed = try device.add(
                node, author: device.author(options.author), replace: replace, noun: "driver node")
            Console.line(
                changed
                    ? "Saved \(kind.rawValue) \(id): \(text)." : "Driver node \(id) already says that; nothing changed."
            )
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Shows driver diagrams as trees under each programme's aim.")

        @Option(help: "Only this programme's diagram.") var programme: String?
        @OptionGroup var format: OutputFormat
        @OptionGroup var location: StoreLocation

        func run() throws {
            let device = try Device.open(location)
            let nodes = try device.all(DriverNode.self).filter { programme == nil || $0.programme == programme }
            let text = try tree(nodes, device: device)
            format.print(nodes.map(RecordOutput.json), table: text)
        }

        private func tree(_ nodes: [DriverNode], device: Device) throws -> String {
            guard !nodes.isEmpty else { return "No driver diagram nodes on this device yet." }
            let children = Dictionary(grouping: nodes) { $0.parent ?? "" }
            var lines: [String] = []
            func add(_ node: DriverNode, depth: Int) {
                let measures = node.measures.isEmpty ? "" : " [measures: \(node.measures.joined(separator: ", "))]"
                lines.append(
                    String(repeating: "  ", count: depth) + "\(node.kind.rawValue) \(node.id): \(node.text)\(measures)")
                for child in children[node.id] ?? [] { add(child, depth: depth + 1) }
            }
            for programmeID in Set(nodes.map(\.programme)).sorted() {
                let aim = try device.store.record(Programme.self, id: programmeID)?.aim ?? ""
                lines.append("\(programmeID): \(aim)")
                for node in nodes where node.programme == programmeID && node.parent == nil { add(node, depth: 1) }
            }
            // Nodes whose parent has not arrived (or was deleted) are still shown.
            let known = Set(nodes.map(\.id))
            for node in nodes where node.parent != nil && !known.contains(node.parent!) {
                lines.append("  (parent \(node.parent!) missing) \(node.kind.rawValue) \(node.id): \(node.text)")
            }
            return lines.joined(separator: "\n")
        }
    }
}
