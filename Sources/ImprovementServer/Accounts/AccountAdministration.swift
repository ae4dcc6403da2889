import Foundation
import ImprovementCore

/// What an operator does to accounts from the command line.
package enum AccountAdministration {
    package enum Failure: Error, Equatable, CustomStringConvertible {
        case invalidName(String)
        case sitesRequired(Role)
        case invalidSite(String)
        case exists(String)
        case unknown(String)

        package var description: String {
            switch self {
            case .invalidName(let name):
                "\"\(name)\" cannot be an account name: use 1-64 letters, digits, '.', '_', '-' or '@'."
            case .sitesRequired(let role):
                "A \(role.rawValue) account needs the sites it belongs to: add --sites SITE[,SITE...]."
            case .invalidSite(let site):
                "\"\(site)\" is not a site id: use letters, digits, '.', '_' or '-'."
            case .exists(let name):
                "There is already an account called \(name). Revoke it first or choose another name."
            case .unknown(let name):
                "There is no account called \(name)."
            }
        }
    }

    /// Creates an account and returns its token, which is stored only as a hash.
    package static func add(name: String, role: Role, sites: [String], storage: some SyncStorage) async throws -> String
    {
        guard Account.isValidName(name) else { throw Failure.invalidName(name) }
        let siteSet = Set(sites.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        for site in siteSet where !isSiteID(site) { throw Failure.invalidSite(site) }
        if role != .admin, siteSet.isEmpty { throw Failure.sitesRequired(role) }
        let token = AccessToken.generate()
        do {
            try await storage.addAccount(
                Account(name: name, role: role, sites: siteSet), tokenHash: AccessToken.hash(token))
        } catch SyncStorageError.accountExists {
            throw Failure.exists(name)
        }
        return token
    }

    package static func revoke(name: String, storage: some SyncStorage) async throws {
        guard try await storage.revokeAccount(name: name) else { throw Failure.unknown(name) }
    }

    static func isSiteID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { byte in
                (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57)
                    || byte == 46 || byte == 95 || byte == 45
            }
    }
}
