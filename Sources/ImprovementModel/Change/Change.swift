/// One write to one synced record, as logged, pushed and pulled.
///
/// `base` holds, per field, the version (HLC) the writer saw before writing, or null when the
/// field had never been written on the writer's device. It is what separates a knowing
/// overwrite from a concurrent one.
public struct Change: Hashable, Sendable {
    /// Unique to this write: a server or replica that already has a change with this id drops it as a duplicate.
    public var id: String
    /// The device that made the change.
    public var replica: String
    /// The record type, for example `observation`.
    public var type: String
    /// The record's id.
    public var entity: String
    /// The site the record belongs to; nil for global definitions.
    public var site: String?
    /// When the change was made, by the writer's hybrid logical clock: the later stamp wins a field.
    public var hlc: HLC
    /// The person who made it.
    public var author: String
    /// The fields written and their new values (`_deleted` for a deletion); fields not named are untouched.
    public var fields: FieldMap {
        didSet { canonical = nil }
    }
    /// Per field written, the version the writer had seen (see above).
    public var base: [String: HLC?] {
        didSet { canonical = nil }
    }
    /// `fields` and `base` as canonical JSON, kept when the change arrived in that form: the log
    /// stores this text, so a received change need not be encoded again. Not part of equality.
    package var canonical: CanonicalText?

    /// A change with every part given.
    public init(
        id: String, replica: String, type: String, entity: String, site: String?, hlc: HLC, author: String,
        fields: FieldMap, base: [String: HLC?]
    ) {
        self.id = id
        self.replica = replica
        self.type = type
        self.entity = entity
        self.site = site
        self.hlc = hlc
        self.author = author
        self.fields = fields
        self.base = base
    }

    /// The canonical JSON of a change's `fields` and `base`, exactly as `CanonicalJSON.object` writes them.
    package struct CanonicalText: Sendable {
        package var fields: String
        package var base: String
    }

    /// The canonical JSON of `fields`, as the log stores it.
    package var fieldsJSON: String { canonical?.fields ?? CanonicalJSON.object(fields) }

    /// The canonical JSON of `base`, as the log stores it.
    package var baseJSON: String { canonical?.base ?? CanonicalJSON.object(base) }

    /// Encodes `fields` and `base` now, unless the change arrived with their text, so that later
    /// reads of `fieldsJSON` and `baseJSON` cost nothing (a server does this before taking a lock).
    package mutating func keepCanonicalText() {
        if canonical == nil {
            canonical = CanonicalText(fields: CanonicalJSON.object(fields), base: CanonicalJSON.object(base))
        }
    }

    // Equality and hashing are by content: the cached text is a by-product of how the change arrived.
    /// Equal when every part is; the cached canonical text is not compared.
    public static func == (lhs: Change, rhs: Change) -> Bool {
        lhs.id == rhs.id && lhs.replica == rhs.replica && lhs.type == rhs.type && lhs.entity == rhs.entity
            && lhs.site == rhs.site && lhs.hlc == rhs.hlc && lhs.author == rhs.author && lhs.fields == rhs.fields
            && lhs.base == rhs.base
    }

    /// Hashes the parts `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(replica)
        hasher.combine(type)
        hasher.combine(entity)
        hasher.combine(site)
        hasher.combine(hlc)
        hasher.combine(author)
        hasher.combine(fields)
        hasher.combine(base)
    }

    /// True when the change deletes its record.
    public var isDelete: Bool { fields[EntityType.deletedField] == .bool(true) }

    /// The version the writer saw for `field`; nil when it saw none.
    func baseVersion(of field: String) -> HLC? { base[field] ?? nil }
}

extension Change: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, replica, type, entity, site, hlc, author, fields, base
    }

    /// Reads a change from its JSON form (stamps as text).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        replica = try container.decode(String.self, forKey: .replica)
        type = try container.decode(String.self, forKey: .type)
        entity = try container.decode(String.self, forKey: .entity)
        site = try container.decodeIfPresent(String.self, forKey: .site)
        let stamp = try container.decode(String.self, forKey: .hlc)
        guard let hlc = HLC(stamp) else {
            throw DecodingError.dataCorruptedError(
                forKey: .hlc, in: container, debugDescription: "\"\(stamp)\" is not a hybrid logical clock timestamp")
        }
        self.hlc = hlc
        author = try container.decode(String.self, forKey: .author)
        fields = try container.decode(FieldMap.self, forKey: .fields)
        let rawBase = try container.decodeIfPresent([String: String?].self, forKey: .base) ?? [:]
        var base: [String: HLC?] = [:]
        for (field, text) in rawBase {
            guard let text else {
                base[field] = .some(nil)
                continue
            }
            guard let version = HLC(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .base, in: container, debugDescription: "base of \(field): \"\(text)\" is not a timestamp")
            }
            base[field] = .some(version)
        }
        self.base = base
    }

    /// Writes the change as JSON, stamps as their text form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(replica, forKey: .replica)
        try container.encode(type, forKey: .type)
        try container.encode(entity, forKey: .entity)
        try container.encode(site, forKey: .site)
        try container.encode(hlc.description, forKey: .hlc)
        try container.encode(author, forKey: .author)
        try container.encode(fields, forKey: .fields)
        try container.encode(base.mapValues { $0?.description }, forKey: .base)
    }
}

/// A change as it sits in a replica's log, with its local sequence number.
public struct LoggedChange: Hashable, Sendable {
    /// Position in this replica's log: strictly increasing in commit order.
    public var seq: Int64
    /// The change itself.
    public var change: Change

    package init(seq: Int64, change: Change) {
        self.seq = seq
        self.change = change
    }
}
