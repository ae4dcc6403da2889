/// Who may write the records of one type: part of each `EntityType`'s declaration, evaluated by
/// `PermissionRules` on the server (for every pushed change) and on the device (before a write).
public struct WritePermission: Equatable, Sendable {
    /// The least role that may write records of the type on the account's own sites.
    public let onOwnSites: Role
    /// The least role that may write records of the type that belong to no site (shared by every site).
    public let shared: Role
    /// The records in words, for refusals: "units", "PDSA cycles".
    public let noun: String

    /// Data recorded about a site (observations, stories...): members and coordinators for their
    /// sites, admins everywhere.
    static func members(_ noun: String) -> WritePermission {
        WritePermission(onOwnSites: .member, shared: .admin, noun: noun)
    }

    /// Definitions of a site (the site, its units): coordinators for their sites, admins everywhere.
    static func siteCoordinators(_ noun: String) -> WritePermission {
        WritePermission(onOwnSites: .coordinator, shared: .admin, noun: noun)
    }

    /// Definitions and decisions that may be shared by every site (programmes, measures, conflict
    /// resolutions): coordinators for their sites and for records shared by every site, admins everywhere.
    static func coordinators(_ noun: String) -> WritePermission {
        WritePermission(onOwnSites: .coordinator, shared: .coordinator, noun: noun)
    }

    /// Record types this version does not know: coordinators for their sites, admins everywhere.
    static let unknownType = WritePermission(onOwnSites: .coordinator, shared: .admin, noun: "records of unknown types")
}
