/// A value that lost a merge without its writer having seen the winner: kept so nothing is lost.
public struct Conflict: Hashable, Sendable {
    /// Whether two edits collided, or an edit and a deletion.
    public enum Kind: String, Sendable, Codable {
        /// Two writers changed the same field without seeing each other's write.
        case edit
        /// One writer edited a record another deleted without seeing the edit (or the other way round).
        case delete
    }

    /// One side of a conflict: the value and who wrote it, where and when.
    public struct Side: Hashable, Sendable, Codable {
        /// The value this side wrote (null for a deletion).
        public var value: FieldValue
        /// Who wrote it.
        public var author: String
        /// The device it was written on (the stamp's replica).
        public var replica: String
        /// When it was written: the later stamp wins.
        public var hlc: HLC

        /// One side; its replica is taken from `hlc`.
        public init(value: FieldValue, author: String, hlc: HLC) {
            self.value = value
            self.author = author
            self.replica = hlc.replica
            self.hlc = hlc
        }

        private enum CodingKeys: String, CodingKey { case value, author, replica, hlc }

        /// Reads a side from its JSON form (the stamp as text; the replica taken from it).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            value = try container.decode(FieldValue.self, forKey: .value)
            author = try container.decode(String.self, forKey: .author)
            let text = try container.decode(String.self, forKey: .hlc)
            guard let hlc = HLC(text) else {
                throw DecodingError.dataCorruptedError(forKey: .hlc, in: container, debugDescription: "bad timestamp")
            }
            self.hlc = hlc
            replica = hlc.replica
        }

        /// Writes the side as JSON, the stamp as its text form.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(value, forKey: .value)
            try container.encode(author, forKey: .author)
            try container.encode(replica, forKey: .replica)
            try container.encode(hlc.description, forKey: .hlc)
        }
    }

    /// Stable across replicas: derived from the record, the field and the losing write.
    public var id: String
    /// Two edits, or an edit and a deletion.
    public var kind: Kind
    /// The record type (`observation`).
    public var type: String
    /// The record's id.
    public var entity: String
    /// The record's site; nil for definitions shared by every site.
    public var site: String?
    /// The field the two writes disagree on.
    public var field: String
    /// The value the record holds now. For a delete conflict the winner is the deletion (value null).
    public var winner: Side
    /// The value that lost.
    public var loser: Side
    /// The coordinator's decision, once there is one.
    public var resolution: ConflictChoice?

    /// True once a coordinator has decided.
    public var isResolved: Bool { resolution != nil }

    /// A new, open conflict; its id is derived from the record, the field and the losing stamp.
    public init(kind: Kind, type: String, entity: String, site: String?, field: String, winner: Side, loser: Side) {
        self.id = Conflict.id(type: type, entity: entity, field: field, loser: loser.hlc)
        self.kind = kind
        self.type = type
        self.entity = entity
        self.site = site
        self.field = field
        self.winner = winner
        self.loser = loser
    }

    /// FNV-1a (64 bit) of the conflict's identity: short enough to type, the same on every replica.
    static func id(type: String, entity: String, field: String, loser: HLC) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (type + "\u{0}" + entity + "\u{0}" + field + "\u{0}" + loser.description).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Which side of a conflict a coordinator keeps.
public enum ConflictChoice: String, CaseIterable, Sendable, Codable {
    case winner, loser
}
