/// What an account may do: the server decides it per token, a device learns it from the server.
public enum Role: String, CaseIterable, Codable, Comparable, Sendable {
    /// Everything, on every site.
    case admin
    /// Definitions (sites and units of its sites, programmes, drivers, measures), records of its
    /// sites, and conflict resolutions.
    case coordinator
    /// Records (observations, annotations, PDSA cycles, stories) of its own sites.
    case member
    /// Reads its sites; never writes.
    case viewer

    /// Each role may do everything the roles below it may.
    private var rank: Int {
        switch self {
        case .viewer: 0
        case .member: 1
        case .coordinator: 2
        case .admin: 3
        }
    }

    /// Roles order by what they may do: viewer < member < coordinator < admin.
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// What the write rules need to know about an account: its role and the sites it belongs to.
public struct AccountScope: Equatable, Sendable, CustomStringConvertible {
    /// What the account may do.
    public var role: Role
    /// The sites the account belongs to; ignored for admins, who belong to every site.
    public var sites: Set<String>

    /// An account's role and sites.
    public init(role: Role, sites: Set<String>) {
        self.role = role
        self.sites = sites
    }

    /// Whether records of `site` are the account's to read and, as its role allows, to write.
    public func belongs(to site: String) -> Bool { role == .admin || sites.contains(site) }

    /// The role and sites in words: "member for north", "coordinator for north and south", "admin".
    public var description: String {
        guard role != .admin else { return "admin (every site)" }
        let names = sites.sorted()
        guard !names.isEmpty else { return "\(role.rawValue) for no site" }
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
        return "\(role.rawValue) for \(names.count == 1 ? "site" : "sites") \(list)"
    }
}
