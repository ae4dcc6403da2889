import ImprovementCore

/// A person or device that holds a token.
public struct Account: Equatable, Sendable {
    /// The account's name, unique on the server.
    public var name: String
    /// What the account may do.
    public var role: Role
    /// The sites the account belongs to; ignored for admins, who see every site.
    public var sites: Set<String>
    /// True once its token was withdrawn: the server refuses it.
    public var revoked: Bool

    /// An account as the server stores it.
    public init(name: String, role: Role, sites: Set<String>, revoked: Bool = false) {
        self.name = name
        self.role = role
        self.sites = sites
        self.revoked = revoked
    }

    /// The sites whose changes this account may pull; nil means every site.
    var visibleSites: Set<String>? { role == .admin ? nil : sites }

    /// What the write rules (`PermissionRules`, in the core) need: the role and the sites.
    package var scope: AccountScope { AccountScope(role: role, sites: sites) }

    func belongs(to site: String) -> Bool { scope.belongs(to: site) }

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
