/// What an account may do.
public enum Role: String, CaseIterable, Sendable {
    /// Everything, on every site.
    case admin
    /// Definitions (sites and units of its sites, programmes, drivers, measures), records of its
    /// sites, and conflict resolutions.
    case coordinator
    /// Records (observations, annotations, PDSA cycles, stories) of its own sites.
    case member
    /// Reads its sites; never writes.
    case viewer
}

/// A person or device that holds a token.
public struct Account: Equatable, Sendable {
    public var name: String
    public var role: Role
    /// The sites the account belongs to; ignored for admins, who see every site.
    public var sites: Set<String>
    public var revoked: Bool

    public init(name: String, role: Role, sites: Set<String>, revoked: Bool = false) {
        self.name = name
        self.role = role
        self.sites = sites
        self.revoked = revoked
    }

    /// The sites whose changes this account may pull; nil means every site.
    var visibleSites: Set<String>? { role == .admin ? nil : sites }

    func belongs(to site: String) -> Bool { role == .admin || sites.contains(site) }

    /// Account names are what operators type: 1-64 letters, digits, '.', '_', '-' or '@'.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        return !bytes.isEmpty && bytes.count <= 64
            && bytes.allSatisfy { byte in
                (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57)
                    || byte == 46 || byte == 95 || byte == 45 || byte == 64
            }
    }
}
