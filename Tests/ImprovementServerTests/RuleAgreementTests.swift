import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

// Internal access: the store's generic write (every record type, unvalidated) and the record
// types' declarations, to build one new record of each type for each site.
@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel
@testable import ImprovementServer

/// The write rules live once, in the core: for every role, record type and site, a device
/// refuses exactly what the server refuses, with the same words, and a refusal on the device
/// leaves nothing in its change log.
@Suite("Write rules: the device and the server agree")
struct RuleAgreementTests {
    /// The harness's accounts: admin; coordinator, member and viewer of north; member of south.
    static let accounts: [(name: String, scope: AccountScope)] = ServerHarness.accounts.map { name, role, sites in
        (name, AccountScope(role: role, sites: Set(sites)))
    }

    /// Own site (north, for all but the member of south), another site, and no site (shared by every site).
    static let sites: [String?] = ["north", "south", nil]

    /// A device's first write of a record of `type` that belongs to `site`; nil when no record of
    /// the type can belong to it (a programme always belongs to no site, a site to itself).
    static func newRecord(_ type: EntityType, site: String?) -> (id: String, fields: FieldMap)? {
        let text = type.fields.first { $0.kind == .text && $0.name != "site" }!.name
        switch type.scope {
        case .global:
            return site == nil ? ("\(type.name)-shared", [text: .text("x")]) : nil
        case .ownID:
            return site.map { ($0, [text: .text("x")]) }
        case .siteField:
            // With no site in its site field, a record is shared by every site (the resolution of
            // a conflict on a measure, say).
            return ("\(type.name)-\(site ?? "shared")", ["site": site.map(FieldValue.text) ?? .null, text: .text("x")])
        }
    }

    /// Two minutes before the harness server's fixed clock, so pushes pass its clock check.
    static let clock = PhysicalClock { ServerHarness.now - 120_000 }

    /// What a device writing as `account` (nil: role not known) does with the write: the change it
    /// logged, or the refusal it answered (after checking that nothing reached its log).
    static func device(
        _ type: EntityType, id: String, fields: FieldMap, account: AccountScope?
    ) throws -> Result<Change, WriteRefusal> {
        let store = try ImprovementStore(
            path: nil, options: StoreOptions(replica: "ward-a", clock: clock, utcOffsetSeconds: 0, account: account))
        do {
            let change = try store.write(author: "amy") { writer in try writer.write(type, id: id, fields: fields) }
            return .success(try #require(change))
        } catch let refusal as WriteRefusal {
            #expect(try store.lastSequence() == 0, "a refused write logs nothing")
            #expect(try store.pendingCount() == 0)
            #expect(try store.history(of: type, id: id).isEmpty)
            return .failure(refusal)
        }
    }

    /// The server's reason for refusing the change, or nil when it accepts it.
    static func server(_ change: Change, account name: String, scope: AccountScope) -> String? {
        do {
            try PushPermissions.check(
                change, account: Account(name: name, role: scope.role, sites: scope.sites), storedSite: nil)
            return nil
        } catch {
            guard case .forbidden(let id, let message) = error else { return "unexpected \(error)" }
            #expect(id == change.id)
            let prefix = "Change \(change.id) (\(change.type) \(change.entity)) was refused: "
            let suffix = ". Nothing in the batch was applied."
            #expect(message.hasPrefix(prefix) && message.hasSuffix(suffix), "\(message)")
            return String(message.dropFirst(prefix.count).dropLast(suffix.count))
        }
    }

    @Test func everyRoleTypeAndSiteIsDecidedAlikeOnTheDeviceAndTheServer() throws {
        var decisions = 0
        for (name, scope) in Self.accounts {
            for type in EntityType.all {
                for site in Self.sites {
                    guard let record = Self.newRecord(type, site: site) else { continue }
                    let (id, fields) = record
                    // The change as a device that does not know its role sends it.
                    let change = try Self.device(type, id: id, fields: fields, account: nil).get()
                    let serverReason = Self.server(change, account: name, scope: scope)
                    let onDevice = try Self.device(type, id: id, fields: fields, account: scope)
                    let label = "\(name) writing \(type.name) on \(site ?? "no site")"
                    switch onDevice {
                    case .success:
                        #expect(serverReason == nil, "the device allowed what the server refuses: \(label)")
                    case .failure(let refusal):
                        #expect(refusal.reason == serverReason, "\(label)")
                        #expect(refusal.description.contains(refusal.reason))
                        #expect(refusal.description.hasSuffix("Nothing was saved."))
                    }
                    #expect(
                        PermissionRules.refusal(type: type.name, site: site, account: scope) == serverReason, "\(label)"
                    )
                    decisions += 1
                }
            }
        }
        // 5 accounts × (6 types with a site field × 3 + sites themselves × 2 + 3 shared types).
        #expect(decisions == 5 * (6 * 3 + 2 + 3))
    }

    @Test func theMatrixMeansWhatTheProtocolSays() {
        func allowed(_ account: String, _ type: String, _ site: String?) -> Bool {
            let scope = Self.accounts.first { $0.name == account }!.scope
            return PermissionRules.refusal(type: type, site: site, account: scope) == nil
        }
        for type in ["observation", "annotation", "pdsa", "story"] {
            #expect(allowed("member-north", type, "north") && !allowed("member-north", type, "south"))
            #expect(allowed("coordinator", type, "north") && !allowed("coordinator", type, "south"))
        }
        for type in ["site", "unit", "programme", "driver", "measure", "resolution"] {
            #expect(!allowed("member-north", type, "north") && !allowed("member-north", type, nil), "\(type)")
        }
        for type in ["programme", "driver", "measure", "resolution"] {
            #expect(allowed("coordinator", type, nil) && allowed("admin", type, nil))
        }
        #expect(!allowed("coordinator", "unit", nil) && allowed("admin", "unit", nil))
        #expect(!allowed("coordinator", "observation", nil) && !allowed("member-north", "story", nil))
        #expect(allowed("coordinator", "unit", "north") && !allowed("coordinator", "site", "south"))
        for type in EntityType.all.map(\.name) + ["checklist"] {
            for site in Self.sites {
                #expect(!allowed("viewer", type, site))
                #expect(allowed("admin", type, site))
            }
        }
        // Types this version does not know: coordinators on their sites, members never.
        #expect(allowed("coordinator", "checklist", "north") && !allowed("coordinator", "checklist", nil))
        let member = Self.accounts.first { $0.name == "member-north" }!.scope
        #expect(
            PermissionRules.refusal(type: "checklist", site: "north", account: member)
                == "members record observations, annotations, PDSA cycles and stories only")
        #expect(
            PermissionRules.refusal(type: "unit", site: "north", account: member)
                == "only coordinators and admins change units")
        #expect(
            PermissionRules.refusal(type: "resolution", site: "north", account: member)
                == "only coordinators and admins change conflict resolutions")
    }

    /// The same decisions through the real HTTP server, for every account and a representative
    /// set of writes: a push is refused exactly when the device refuses, with the device's words.
    @Test(arguments: ServerHarness.accounts.map(\.0))
    func theRunningServerAnswersWhatTheDeviceDecided(account: String) async throws {
        let scope = Self.accounts.first { $0.name == account }!.scope
        let server = try await ServerHarness()
        let writes: [(EntityType, String?)] = [
            (.observation, "north"), (.observation, "south"), (.story, "north"), (.unit, "north"), (.unit, "south"),
            (.site, "north"), (.measure, nil), (.resolution, "north"), (.resolution, nil),
        ]
        try await server.application().test(.router) { client in
            var accepted = 0
            for (type, site) in writes {
                let (id, fields) = try #require(Self.newRecord(type, site: site))
                let change = try Self.device(type, id: id, fields: fields, account: nil).get()
                let onDevice = try Self.device(type, id: id, fields: fields, account: scope)
                let response = try await client.execute(
                    uri: "/v1/push", method: .post, headers: server.headers(account), body: Changes.body([change]))
                switch onDevice {
                case .success:
                    #expect(response.status == .ok, "\(account) \(type.name) \(site ?? "-"): \(response.message)")
                    accepted += 1
                case .failure(let refusal):
                    #expect(response.status == .forbidden, "\(account) \(type.name) \(site ?? "-")")
                    #expect(response.message.contains(": \(refusal.reason)."), "\(response.message)")
                }
            }
            let everything = try await client.execute(
                uri: "/v1/pull?limit=10000", method: .get, headers: server.headers("admin"))
            #expect(everything.changeIDs.count == accepted)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func theAccountEndpointSaysWhoTheTokenBelongsTo(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        try await server.application().test(.router) { client in
            for (name, role, sites) in ServerHarness.accounts {
                let response = try await client.execute(uri: "/v1/account", method: .get, headers: server.headers(name))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(response.json["user"] == .string(name) && response.json["role"] == .string(role.rawValue))
                #expect(response.json["sites"] == .array(sites.sorted().map(JSONValue.string)))
                #expect(
                    Set(response.json.keys)
                        == ProtocolExampleTests.keys(try ProtocolExampleTests.load("account-response.json")))
            }
            let anonymous = try await client.execute(uri: "/v1/account", method: .get, headers: server.headers(nil))
            #expect(anonymous.status == .unauthorized && anonymous.code == "unauthorized")
            let oldProtocol = try await client.execute(
                uri: "/v1/account", method: .get, headers: server.headers("admin", protocolVersion: "7"))
            #expect(oldProtocol.code == "unsupported_protocol")
            let posted = try await client.execute(uri: "/v1/account", method: .post, headers: server.headers("admin"))
            #expect(posted.status == .methodNotAllowed && posted.headers[.allow] == "GET")
        }
    }
}
