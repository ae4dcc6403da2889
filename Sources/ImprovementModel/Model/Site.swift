/// A hospital or organisation taking part; the unit of sync scope and permission.
public struct Site: SyncedRecord {
    /// Sites are synced as `site` records.
    public static let entityType = EntityType.site
    /// A short id people type (`north`): letters, digits and dashes.
    public var id: String
    /// The name people recognise ("North Hospital").
    public var name: String

    /// A site with its id and name.
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }

    /// The site a record's fields describe, as the store and the wire hold them.
    public init(id: String, fields: FieldMap) {
        self.init(id: id, name: fields["name"]?.text ?? "")
    }

    /// The fields stored and synced for this site.
    public var fields: FieldMap { ["name": .text(name)] }

    /// Refuses a malformed id or an empty name.
    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "site id")
        _ = try Check.required(name, field: "site name", hint: "Give the site a name people recognise.")
    }
}

/// A ward or team within a site.
public struct Unit: SyncedRecord {
    /// Whether the unit is a ward (beds) or a team.
    public enum Kind: String, CaseIterable, Sendable { case ward, team }

    /// Units are synced as `unit` records.
    public static let entityType = EntityType.unit
    /// A short id people type (`ward-7`), unique across sites.
    public var id: String
    /// The site the unit belongs to; fixed once the unit exists.
    public var site: String
    /// The name people recognise ("Ward 7").
    public var name: String
    /// Ward or team.
    public var kind: Kind

    /// A unit of `site`.
    public init(id: String, site: String, name: String, kind: Kind = .ward) {
        self.id = id
        self.site = site
        self.name = name
        self.kind = kind
    }

    /// The unit a record's fields describe, as the store and the wire hold them.
    public init(id: String, fields: FieldMap) {
        self.init(
            id: id, site: fields["site"]?.text ?? "", name: fields["name"]?.text ?? "",
            kind: fields["kind"]?.text.flatMap(Kind.init(rawValue:)) ?? .ward)
    }

    /// The fields stored and synced for this unit.
    public var fields: FieldMap { ["site": .text(site), "name": .text(name), "kind": .text(kind.rawValue)] }

    /// Refuses a malformed id, an empty name or a site that does not exist.
    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "unit id")
        _ = try Check.required(name, field: "unit name", hint: "Give the ward or team a name, for example \"Ward 7\".")
        try Check.id(site, field: "site")
        _ = try context.requireExisting(.site, site)
    }
}
