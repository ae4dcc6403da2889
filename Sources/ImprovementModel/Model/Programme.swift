import Foundation

/// A quality-improvement programme: what it aims to achieve and by when.
public struct Programme: SyncedRecord {
    /// Where the programme is in its life.
    public enum Status: String, CaseIterable, Sendable { case planning, active, sustaining, closed }

    /// Programmes are synced as `programme` records.
    public static let entityType = EntityType.programme
    /// A short id people type (`falls`).
    public var id: String
    /// A short name ("Falls").
    public var name: String
    /// The aim statement: what will improve, by how much, by when and for whom.
    public var aim: String
    /// The day the programme starts; nil when not set.
    public var start: Day?
    /// The day it is due to end; nil when not set; never before `start`.
    public var end: Day?
    /// Planning, active, sustaining or closed.
    public var status: Status
    /// Who leads the programme.
    public var owner: String?

    /// A programme with every field given; it is checked when saved (`validate(in:)`).
    public init(
        id: String, name: String, aim: String, start: Day? = nil, end: Day? = nil, status: Status = .active,
        owner: String? = nil
    ) {
        self.id = id
        self.name = name
        self.aim = aim
        self.start = start
        self.end = end
        self.status = status
        self.owner = owner
    }

    /// The programme a record's fields describe, as the store and the wire hold them.
    public init(id: String, fields: FieldMap) {
        self.init(
            id: id, name: fields["name"]?.text ?? "", aim: fields["aim"]?.text ?? "",
            start: fields["start"]?.text.flatMap(Day.init), end: fields["end"]?.text.flatMap(Day.init),
            status: fields["status"]?.text.flatMap(Status.init(rawValue:)) ?? .active, owner: fields["owner"]?.text)
    }

    /// The fields stored and synced for this programme.
    public var fields: FieldMap {
        [
            "name": .text(name), "aim": .text(aim), "start": start.map { .text($0.description) } ?? .null,
            "end": end.map { .text($0.description) } ?? .null, "status": .text(status.rawValue),
            "owner": owner.map(FieldValue.text) ?? .null,
        ]
    }

    /// Refuses a malformed id, an empty name or aim, and an end before the start.
    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "programme id")
        _ = try Check.required(name, field: "programme name", hint: "Give the programme a short name.")
        _ = try Check.required(
            aim, field: "aim statement",
            hint:
                "Write what will improve, by how much, by when and for whom, e.g. \"Reduce falls on Ward 7 by 30% by June 2027\"."
        )
        try Check.length(owner, field: "owner", limit: 200)
        if let start, let end, end < start { throw ValidationError.endBeforeStart(start: start, end: end) }
    }
}

/// A node of a programme's driver diagram: aim → primary drivers → secondary drivers → change ideas
/// (a change idea may also hang straight off a primary driver).
public struct DriverNode: SyncedRecord {
    /// The node's level in the diagram; each level's parent is the level above.
    public enum Kind: String, CaseIterable, Sendable {
        case primary, secondary, change

        /// The kinds a parent of this kind may have; empty when the node hangs off the aim. A change
        /// idea may hang off a primary driver as well as a secondary one: QI teams draw both.
        var parentKinds: [Kind] {
            switch self {
            case .primary: []
            case .secondary: [.primary]
            case .change: [.secondary, .primary]
            }
        }
    }

    /// Driver-diagram nodes are synced as `driver` records.
    public static let entityType = EntityType.driver
    /// The node's id, chosen when it is made.
    public var id: String
    /// The programme whose diagram holds the node; fixed once it exists.
    public var programme: String
    /// Primary driver, secondary driver or change idea.
    public var kind: Kind
    /// The driver or change idea in a few words.
    public var text: String
    /// The node one level up (a primary driver's parent is nil: it links to the aim).
    public var parent: String?
    /// The measures that show whether this driver or change idea is working (ids of the same
    /// programme's measures). On the wire: the text field `measures`, ids separated by commas,
    /// added without a new protocol version (older devices store and relay it).
    public var measures: [String]

    /// A node with every field given; it is checked when saved (`validate(in:)`).
    public init(
        id: String, programme: String, kind: Kind, text: String, parent: String? = nil, measures: [String] = []
    ) {
        self.id = id
        self.programme = programme
        self.kind = kind
        self.text = text
        self.parent = parent
        self.measures = measures
    }

    /// The node a record's fields describe, as the store and the wire hold them.
    public init(id: String, fields: FieldMap) {
        self.init(
            id: id, programme: fields["programme"]?.text ?? "",
            kind: fields["kind"]?.text.flatMap(Kind.init(rawValue:)) ?? .change, text: fields["text"]?.text ?? "",
            parent: fields["parent"]?.text,
            measures: (fields["measures"]?.text ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            .filter { !$0.isEmpty })
    }

    /// The fields stored and synced for this node.
    public var fields: FieldMap {
        [
            "programme": .text(programme), "kind": .text(kind.rawValue), "text": .text(text),
            "parent": parent.map(FieldValue.text) ?? .null,
            "measures": measures.isEmpty ? .null : .text(measures.joined(separator: ",")),
        ]
    }

    /// Refuses empty text, an unknown programme, and a parent of the wrong level.
    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "driver id")
        _ = try Check.required(text, field: "driver text", hint: "Describe the driver or change idea in a few words.")
        _ = try context.requireExisting(.programme, programme)
        for measure in measures {
            try Check.id(measure, field: "measure id")
            let measureFields = try context.requireExisting(.measure, measure)
            guard measureFields["programme"]?.text == programme else {
                throw ValidationError.unknownReference(kind: "measure in programme \(programme)", id: measure)
            }
        }
        guard !kind.parentKinds.isEmpty else {
            if let parent {
                throw ValidationError.invalidChoice(
                    field: "parent of a primary driver", value: parent, allowed: ["none (it links to the aim)"])
            }
            return
        }
        guard let parent else {
            throw ValidationError.missing(
                field: "parent",
                hint:
                    "A \(kind.rawValue) node links to a \(kind.parentKinds.map(\.rawValue).joined(separator: " or ")) driver: give its id."
            )
        }
        let parentFields = try context.requireExisting(.driver, parent, as: "driver")
        let parentKind = parentFields["kind"]?.text ?? ""
        guard kind.parentKinds.map(\.rawValue).contains(parentKind) else {
            throw ValidationError.invalidChoice(
                field: "parent kind for a \(kind.rawValue) node", value: parentKind,
                allowed: kind.parentKinds.map(\.rawValue))
        }
        guard parentFields["programme"]?.text == programme else {
            throw ValidationError.unknownReference(kind: "driver in programme \(programme)", id: parent)
        }
    }
}
