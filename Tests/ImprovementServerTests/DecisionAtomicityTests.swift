import Foundation
import HTTPTypes
import HummingbirdTesting
import ImprovementCore
import Testing

@testable import ImprovementServer

/// A conflict resolution and the values it puts back are one decision: on both storage engines
/// the server accepts them together or refuses them together (Protocol/README.md §6.5).
@Suite("Decisions are atomic on the server")
struct DecisionAtomicityTests {
    static let coordinator = StorageConformanceTests.coordinator
    static let member = StorageConformanceTests.memberNorth

    /// A record with an open conflict, and the decision a device writes to keep its loser.
    struct Dispute {
        var resolution: Change
        var values: Change
    }

    func dispute(_ storage: any SyncStorage) async throws -> Dispute {
        let created = Changes.observation(site: "north", unit: "ward-7", numerator: 2)
        _ = try await storage.push([created], by: Self.member)
        let tablet = Changes.make(
            type: "observation", entity: created.entity, site: "north", fields: ["numerator": .number(3)],
            replica: "ward-a", millis: ServerHarness.now - 30_000, base: ["numerator": created.hlc])
        let laptop = Changes.make(
            type: "observation", entity: created.entity, site: "north", fields: ["numerator": .number(4)],
            replica: "ward-c", millis: ServerHarness.now - 20_000, base: ["numerator": created.hlc])
        _ = try await storage.push([tablet], by: Self.member)
        #expect(try await storage.push([laptop], by: Self.member).conflicts == 1)
        let conflict = try #require(try await storage.pull(after: 0, limit: 100, for: Self.coordinator).conflicts.first)
        let resolution = Changes.make(
            type: "resolution", entity: conflict.id, site: "north",
            fields: [
                "site": .text("north"), "keep": .text("loser"), "kind": .text("edit"),
                "recordType": .text("observation"), "entity": .text(created.entity), "field": .text("numerator"),
                "loserValue": .text("3"), "loserAuthor": .text(conflict.loser.author),
                "loserHLC": .text(conflict.loser.hlc.description), "winnerValue": .text("4"),
                "winnerAuthor": .text(conflict.winner.author), "winnerHLC": .text(conflict.winner.hlc.description),
            ], replica: "hub", millis: ServerHarness.now - 10_000)
        let values = Changes.make(
            type: "observation", entity: created.entity, site: "north", fields: ["numerator": .number(3)],
            replica: "hub", millis: ServerHarness.now - 9_000,
            base: ["numerator": laptop.hlc, "_resolves:\(conflict.id)": nil])
        return Dispute(resolution: resolution, values: values)
    }

    func refusal(_ storage: any SyncStorage, _ changes: [Change], by account: Account) async throws -> (String, String)?
    {
        do {
            _ = try await storage.push(changes, by: account)
            return nil
        } catch SyncStorageError.forbidden(let changeID, let message) {
            return (changeID, message)
        }
    }

    func pulledIDs(_ storage: any SyncStorage) async throws -> Set<String> {
        Set(try await storage.pull(after: 0, limit: 100, for: Self.coordinator).changes.map(\.id))
    }

    @Test(arguments: StorageBackend.allCases)
    func aMembersRefusedResolutionTakesItsValuesWithIt(backend: StorageBackend) async throws {
        let opened = try await backend.open()
        let storage = opened.storage
        do {
            let dispute = try await dispute(storage)
            let before = try await storage.lastSequence()
            // The whole batch: the resolution is named (members may not settle conflicts).
            let first = try #require(try await refusal(storage, [dispute.resolution, dispute.values], by: Self.member))
            #expect(first.0 == dispute.resolution.id && first.1.contains("conflict resolutions"))
            // The device holds the resolution and sends the rest: the values alone are refused too.
            let second = try #require(try await refusal(storage, [dispute.values], by: Self.member))
            #expect(second.0 == dispute.values.id)
            #expect(
                second.1.contains("puts back values for conflict resolution")
                    && second.1.contains("Nothing in the batch"))
            // Even a coordinator cannot send the values without the decision.
            #expect(try await refusal(storage, [dispute.values], by: Self.coordinator)?.0 == dispute.values.id)
            #expect(try await storage.lastSequence() == before, "nothing was applied")
            #expect(try await pulledIDs(storage).isDisjoint(with: [dispute.resolution.id, dispute.values.id]))
            let open = try await storage.pull(after: 0, limit: 100, for: Self.coordinator).conflicts
            #expect(open.count == 1 && open[0].resolution == nil, "the conflict stays open for everyone")
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
    }

    @Test(arguments: StorageBackend.allCases, [true, false])
    func aCoordinatorsDecisionIsAcceptedInOneOrTwoPushes(backend: StorageBackend, together: Bool) async throws {
        let opened = try await backend.open()
        let storage = opened.storage
        do {
            let dispute = try await dispute(storage)
            if together {
                #expect(
                    try await storage.push([dispute.resolution, dispute.values], by: Self.coordinator).accepted == 2)
            } else {
                // A device's batch may end between the two: the resolution arrived first, so the values follow it.
                #expect(try await storage.push([dispute.resolution], by: Self.coordinator).accepted == 1)
                #expect(try await storage.push([dispute.values], by: Self.coordinator).accepted == 1)
            }
            let pulled = try await pulledIDs(storage)
            #expect(pulled.contains(dispute.resolution.id) && pulled.contains(dispute.values.id))
            let settled = try await storage.pull(after: 0, limit: 100, for: Self.member).conflicts
            #expect(settled.count == 1 && settled[0].resolution == .loser)
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
    }

    /// Over HTTP, as a device that does not know its role would send it: the resolution is refused
    /// first, and the values it carries are refused when sent without it.
    @Test(arguments: StorageBackend.allCases)
    func theRouteRefusesTheValuesOfARefusedDecision(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        let dispute = try await dispute(server.storage)
        try await server.application().test(.router) { client in
            let both = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("member-north"),
                body: Changes.body([dispute.resolution, dispute.values], replica: "hub"))
            #expect(both.status == .forbidden && both.json["change"] == .string(dispute.resolution.id))
            let alone = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("member-north"),
                body: Changes.body([dispute.values], replica: "hub"))
            #expect(alone.status == .forbidden && alone.json["change"] == .string(dispute.values.id))
            #expect(alone.message.contains("conflict resolution"))
            let settled = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("coordinator"),
                body: Changes.body([dispute.resolution, dispute.values], replica: "hub"))
            #expect(settled.status == .ok && settled.number("accepted") == 2)
        }
    }
}
