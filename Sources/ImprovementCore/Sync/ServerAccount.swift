import Foundation

/// The account a token belongs to, as the server's `GET /v1/account` answers it
/// (Protocol/README.md section 8.6): a device keeps it to refuse at once what the server would
/// refuse at the next push.
public struct ServerAccount: Equatable, Sendable {
    /// The account's name on the server.
    public var user: String
    /// The account's role and sites, as the write rules need them (`StoreOptions.account`).
    public var scope: AccountScope

    /// An account as the server describes it.
    public init(user: String, scope: AccountScope) {
        self.user = user
        self.scope = scope
    }

    /// Asks the server who `token` belongs to. Nil when the server is older than the endpoint
    /// (it answers 404): the device then does not know its role, and the server alone judges its changes.
    public static func fetch(
        server: URL, token: String, transport: any SyncTransport
    ) async throws(SyncError)
        -> ServerAccount?
    {
        guard let url = URL(string: server.absoluteString.trimmingAccountSuffix("/") + "/v1/account") else {
            throw .network("the server address \(server) is not a URL")
        }
        let answer: SyncResponse
        do {
            answer = try await transport.send(
                SyncRequest(
                    method: "GET", url: url,
                    headers: [
                        ("Improve-Protocol", String(SyncClient.protocolVersion)), ("Authorization", "Bearer \(token)"),
                    ],
                    timeout: .seconds(30)))
        } catch {
            throw .network(transport.describe(error))
        }
        switch answer.status {
        case 200: break
        case 404: return nil
        case 401: throw .unauthorized(message(answer.body))
        case 500...: throw .server(status: answer.status, message: message(answer.body))
        default: throw .refused(code: "http_\(answer.status)", message: message(answer.body))
        }
        guard case .object(let object)? = try? JSONParser.parse(answer.body, maxDepth: 4),
            case .string(let user)? = object["user"], case .string(let roleName)? = object["role"],
            let role = Role(rawValue: roleName), case .array(let siteValues)? = object["sites"]
        else { throw .badResponse("the account answer lacks user, a known role or sites") }
        var sites: Set<String> = []
        for value in siteValues {
            guard case .string(let site) = value else { throw .badResponse("a site of the account is not a string") }
            sites.insert(site)
        }
        return ServerAccount(user: user, scope: AccountScope(role: role, sites: sites))
    }

    private static func message(_ body: Data) -> String {
        if case .object(let object)? = try? JSONParser.parse(body, maxDepth: 4),
            case .string(let text)? = object["message"]
        {
            return text
        }
        return ""
    }
}

extension String {
    fileprivate func trimmingAccountSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
