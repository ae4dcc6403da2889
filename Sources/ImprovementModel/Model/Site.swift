/// A hospital or organisation taking part; the unit of sync scope and permission.
public struct Site: SyncedRecord {
    public static let entityType = EntityType.site
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }

    public init(id: String, fields: FieldMap) {
        self.init(id: id, name: fields["name"]?.text ?? "")
    }

    public var fields: FieldMap { ["name": .text(name)] }

    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "site id")
        _ = try Check.required(name, field: "site name", hint: "Give the site a name people recognise.")
    }
}

/// A ward or team within a site.
public struct Unit: SyncedRecord {
    public enum Kind: String, CaseIterable, Sendable { case ward, team }

    public static let entityType = EntityType.unit
    public var id: String
    public var site: String
    public var name: String
    public var kind: Kind

    public init(id: String, site: String, name: String, kind: Kind = .ward) {
        self.id = id
        self.site = site
        self.name = name
        self.kind = kind
    }

    public init(id: String, fields: FieldMap) {
        self.init(
            id: id, site: fields["site"]?.text ?? "", name: fields["name"]?.text ?? "",
            kind: fields["kind"]?.text.flatMap(Kind.init(rawValue:)) ?? .ward)
    }

    public var fields: FieldMap { ["site": .text(site), "name": .text(name), "kind": .text(kind.rawValue)] }

    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "unit id")
        _ = try Check.required(name, field: "unit name", hint: "Give the ward or team a name, for example \"Ward 7\".")
        try Check.id(site, field: "site")
        _ = try context.requireExisting(.site, site)
    }
}
