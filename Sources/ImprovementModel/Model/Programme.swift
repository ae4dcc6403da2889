import Foundation

/// A quality-improvement programme: what it aims to achieve and by when.
public struct Programme: SyncedRecord {
    public enum Status: String, CaseIterable, Sendable { case planning, active, sustaining, closed }

    public static let entityType = EntityType.programme
    public var id: String
    public var name: String
    public var aim: String
    public var start: Day?
    public var end: Day?
    public var status: Status
    public var owner: String?

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

    public init(id: String, fields: FieldMap) {
        self.init(
            id: id, name: fields["name"]?.text ?? "", aim: fields["aim"]?.text ?? "",
            start: fields["start"]?.text.flatMap(Day.init), end: fields["end"]?.text.flatMap(Day.init),
            status: fields["status"]?.text.flatMap(Status.init(rawValue:)) ?? .active, owner: fields["owner"]?.text)
    }

    public var fields: FieldMap {
        [
            "name": .text(name), "aim": .text(aim), "start": start.map { .text($0.description) } ?? .null,
            "end": end.map { .text($0.description) } ?? .null, "status": .text(status.rawValue),
            "owner": owner.map(FieldValue.text) ?? .null,
        ]
    }

    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "programme id")
        _ = try Check.required(name, field: "programme name", hint: "Give the programme a short name.")
        _ = try Check.required(
            aim, field: "aim statement",
            hint: "Write what will improve, by how much, by when and for whom, e.g. \"Reduce falls on Ward 7 by 30% by June 2027\".")
        try Check.length(owner, field: "owner", limit: 200)
        if let start, let end, end < start { throw ValidationError.endBeforeStart(start: start, end: end) }
    }
}

/// A node of a programme's driver diagram: aim → primary drivers → secondary drivers → change ideas
/// (a change idea may also hang straight off a primary driver).
public struct DriverNode: SyncedRecord {
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

    public static let entityType = EntityType.driver
    public var id: String
    public var programme: String
    public var kind: Kind
    public var text: String
    public var parent: String?
    /// The measures that show whether this driver or change idea is working (ids of the same
    /// programme's measures). On the wire: the text field `measures`, ids separated by commas,
    /// added without a new protocol version (older devices store and relay it).
    public var measures: [String]

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

    public init(id: String, fields: FieldMap) {
        self.init(
            id: id, programme: fields["programme"]?.text ?? "",
            kind: fields["kind"]?.text.flatMap(Kind.init(rawValue:)) ?? .change, text: fields["text"]?.text ?? "",
            parent: fields["parent"]?.text,
            measures: (fields["measures"]?.text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty })
    }

    public var fields: FieldMap {
        [
            "programme": .text(programme), "kind": .text(kind.rawValue), "text": .text(text),
            "parent": parent.map(FieldValue.text) ?? .null,
            "measures": measures.isEmpty ? .null : .text(measures.joined(separator: ",")),
        ]
    }

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
                throw ValidationError.invalidChoice(field: "parent of a primary driver", value: parent, allowed: ["none (it links to the aim)"])
            }
            return
        }
        guard let parent else {
            throw ValidationError.missing(field: "parent", hint: "A \(kind.rawValue) node links to a \(kind.parentKinds.map(\.rawValue).joined(separator: " or ")) driver: give its id.")
        }
        let parentFields = try context.requireExisting(.driver, parent, as: "driver")
        let parentKind = parentFields["kind"]?.text ?? ""
        guard kind.parentKinds.map(\.rawValue).contains(parentKind) else {
            throw ValidationError.invalidChoice(
                field: "parent kind for a \(kind.rawValue) node", value: parentKind, allowed: kind.parentKinds.map(\.rawValue))
        }
        guard parentFields["programme"]?.text == programme else {
            throw ValidationError.unknownReference(kind: "driver in programme \(programme)", id: parent)
        }
    }
}
