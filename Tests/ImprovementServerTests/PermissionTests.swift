import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImprovementCore
import Testing

@testable import ImprovementServer

/// Every role against its own site and another site, for push and for pull.
@Suite("Permissions")
struct PermissionTests {
    enum Kind: CaseIterable {
        case unitNorth, observationNorth, observationSouth, measure, resolutionNorth

        func change() -> Change {
            switch self {
            case .unitNorth:
                Changes.make(
                    type: "unit", entity: "ward-\(Int.random(in: 100...999_999))", site: "north",
                    fields: ["site": .text("north"), "name": .text("Ward")])
            case .observationNorth: Changes.observation(site: "north", unit: "ward-\(Int.random(in: 100...999_999))")
            case .observationSouth: Changes.observation(site: "south", unit: "ward-\(Int.random(in: 100...999_999))")
            case .measure:
                Changes.make(
                    type: "measure", entity: "m-\(Int.random(in: 100...999_999))", site: nil,
                    fields: ["programme": .text("falls"), "name": .text("Falls")])
            case .resolutionNorth:
                Changes.make(
                    type: "resolution", entity: String(Int.random(in: 100...999_999)), site: "north",
                    fields: ["site": .text("north"), "keep": .text("winner")])
            }
        }
    }

    static let allowed: [String: Set<Kind>] = [
        "admin": Set(Kind.allCases),
        "coordinator": [.unitNorth, .observationNorth, .measure, .resolutionNorth],
        "member-north": [.observationNorth],
        "member-south": [.observationSouth],
        "viewer": [],
    ]

    @Test(arguments: ["admin", "coordinator", "member-north", "member-south", "viewer"], StorageBackend.allCases)
    func pushIsAllowedExactlyWhereTheRoleAndSitePermit(account: String, backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        try await server.application().test(.router) { client in
            for kind in Kind.allCases {
                let change = kind.change()
                let response = try await client.execute(
                    uri: "/v1/push", method: .post, headers: server.headers(account), body: Changes.body([change]))
                if Self.allowed[account]!.contains(kind) {
                    #expect(response.status == .ok, "\(account) should push \(kind): \(response.message)")
                } else {
                    #expect(response.status == .forbidden, "\(account) must not push \(kind)")
                    #expect(response.code == "forbidden")
                    #expect(response.message.contains(change.id))
                    #expect(response.json["change"] == .string(change.id) && response.number("index") == 0)
                }
            }
            let everything = try await client.execute(
                uri: "/v1/pull?limit=10000", method: .get, headers: server.headers("admin"))
            #expect(everything.changeIDs.count == Self.allowed[account]!.count, "refused pushes applied nothing")
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func pullShowsOnlyTheCallersSitesAndGlobalDefinitions(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        let north = Changes.observation(site: "north", unit: "ward-7")
        let south = Changes.observation(site: "south", unit: "ward-s1")
        let measure = Kind.measure.change()
        try await server.application().test(.router) { client in
            let push = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("admin"),
                body: Changes.body([north, south, measure]))
            #expect(push.status == .ok)
            let expectations: [(String, [String])] = [
                ("admin", [north.id, south.id, measure.id]), ("coordinator", [north.id, measure.id]),
                ("member-north", [north.id, measure.id]), ("member-south", [south.id, measure.id]),
                ("viewer", [north.id, measure.id]),
            ]
            for (account, expected) in expectations {
                let pull = try await client.execute(uri: "/v1/pull", method: .get, headers: server.headers(account))
                #expect(pull.changeIDs == expected, "\(account)")
            }
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func aRecordCannotBeMovedToAnotherSite(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        let original = Changes.observation(site: "south", unit: "ward-s1")
        var movedDraft = Changes.make(
            type: "observation", entity: original.entity, site: "north", fields: ["note": .text("mine now")])
        movedDraft.base = [:]
        let moved = movedDraft
        try await server.application().test(.router) { client in
            _ = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("admin"), body: Changes.body([original]))
            let response = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("member-north"), body: Changes.body([moved]))
            #expect(response.status == .forbidden)
            #expect(response.message.contains("belongs to south"))
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func missingForgedAndRevokedTokensGet401(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        let change = Changes.observation(site: "north", unit: "ward-7")
        try await server.application().test(.router) { client in
            var noToken = server.headers(nil)
            let missing = try await client.execute(uri: "/v1/pull", method: .get, headers: noToken)
            #expect(missing.status == .unauthorized && missing.code == "unauthorized")
            #expect(missing.headers[.wwwAuthenticate] == "Bearer realm=\"improve\"")
            noToken[.authorization] = "Bearer imp_" + String(repeating: "A", count: 43)
            let forged = try await client.execute(uri: "/v1/pull", method: .get, headers: noToken)
            #expect(forged.status == .unauthorized)
            noToken[.authorization] = "Basic dXNlcjpwYXNz"
            let malformed = try await client.execute(
                uri: "/v1/push", method: .post, headers: noToken, body: Changes.body([change]))
            #expect(malformed.status == .unauthorized)

            #expect(
                try await client.execute(uri: "/v1/pull", method: .get, headers: server.headers("member-north")).status
                    == .ok)
            try await AccountAdministration.revoke(name: "member-north", storage: server.storage)
            let revoked = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("member-north"), body: Changes.body([change]))
            #expect(revoked.status == .unauthorized)
            #expect(revoked.message.contains("Ask your coordinator for a new token"))
        }
    }

    @Test func tokensAreStoredOnlyAsHashes() async throws {
        let server = try await ServerHarness()
        let stored = try #require(server.storage as? SQLiteSyncStorage).store.readDatabase { db in
            try String.fetchAll(db, sql: "SELECT token_hash FROM server_account")
        }
        #expect(stored.count == 5)
        for token in server.tokens.values {
            #expect(!stored.contains(token))
            #expect(stored.contains(AccessToken.hash(token)))
        }
    }

    /// Lowercase hex SHA-256, as every stored hash since the first release was written: a
    /// different spelling would lock every device out.
    @Test func aTokensHashIsItsLowercaseHexSHA256() {
        #expect(AccessToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(AccessToken.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
