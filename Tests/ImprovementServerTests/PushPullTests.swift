import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImprovementCore
import Testing

@testable import ImprovementServer

@Suite("Push and pull")
struct PushPullTests {
    @Test func healthAndMetricsAnswerWithoutAToken() async throws {
        let server = try await ServerHarness()
        try await server.application().test(.router) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            #expect(health.json["status"] == .string("ok"))
            #expect(health.json["protocols"] == .array([.number(1)]))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            let text = String(buffer: metrics.body)
            for name in [
                "improve_changes_accepted_total", "improve_changes_duplicate_total", "improve_conflicts_created_total",
            ] {
                #expect(text.contains(name))
            }
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func aResendAfterALostAcknowledgementDuplicatesNothing(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        let batch = (0..<5).map { Changes.observation(site: "north", unit: "ward-7", week: "2026-05-0\($0 + 1)") }
        try await server.application().test(.router) { client in
            let first = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("member-north"), body: Changes.body(batch))
            #expect(first.status == .ok)
            #expect(first.number("accepted") == 5 && first.number("duplicates") == 0)
            #expect(first.number("cursor") == 5)
            #expect(first.json["serverTime"] == .string("2026-06-01T12:00:00.000Z"))
            let again = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("member-north"), body: Changes.body(batch))
            #expect(again.status == .ok)
            #expect(again.number("accepted") == 0 && again.number("duplicates") == 5)
            let pull = try await client.execute(
                uri: "/v1/pull?after=0", method: .get, headers: server.headers("member-north"))
            #expect(pull.changeIDs == batch.map(\.id))
            #expect(pull.json["hasMore"] == .bool(false))
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains("improve_changes_accepted_total 5"))
            #expect(metrics.contains("improve_changes_duplicate_total 5"))
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func oneBadChangeRejectsTheWholeBatch(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        var batchDraft = (0..<3).map { Changes.observation(site: "north", unit: "ward-7", week: "2026-05-0\($0 + 1)") }
        var badDraft = Changes.observation(site: "north", unit: "ward-9")
        badDraft.fields["numerator"] = .text("three")
        let bad = badDraft
        batchDraft.insert(bad, at: 1)
        let batch = batchDraft
        try await server.application().test(.router) { client in
            let push = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("member-north"), body: Changes.body(batch))
            #expect(push.status == .unprocessableContent)
            #expect(push.code == "invalid_change")
            #expect(push.message.contains(bad.id))
            let pull = try await client.execute(uri: "/v1/pull", method: .get, headers: server.headers("admin"))
            #expect(pull.changeIDs.isEmpty, "nothing of a refused batch is applied")
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func pullPagesWithACursorAndHasMore(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        let batch = (0..<25).map {
            Changes.observation(site: "north", unit: "ward-7", week: "2026-0\($0 % 5 + 1)-0\($0 / 5 + 1)")
        }
        try await server.application().test(.router) { client in
            _ = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("coordinator"), body: Changes.body(batch))
            var cursor = 0
            var seen: [String] = []
            var pages = 0
            while true {
                let page = try await client.execute(
                    uri: "/v1/pull?after=\(cursor)&limit=10", method: .get, headers: server.headers("viewer"))
                #expect(page.status == .ok)
                seen += page.changeIDs
                cursor = Int(page.number("cursor") ?? 0)
                pages += 1
                if page.json["hasMore"] != .bool(true) { break }
            }
            #expect(pages == 3)
            #expect(seen == batch.map(\.id))
            #expect(cursor == 25)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func concurrentEditsOfTwoDevicesReachPullersAsAConflict(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        let amy = Changes.observation(
            site: "north", unit: "ward-7", numerator: 2, replica: "ward-a", millis: ServerHarness.now - 5000,
            author: "amy")
        var benDraft = Changes.observation(
            site: "north", unit: "ward-7", numerator: 4, replica: "ward-b", millis: ServerHarness.now - 4000,
            author: "ben")
        benDraft.fields = ["numerator": .number(4)]
        let ben = benDraft
        try await server.application().test(.router) { client in
            let first = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("member-north"), body: Changes.body([amy]))
            #expect(first.number("conflicts") == 0)
            let second = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("member-north"),
                body: Changes.body([ben], replica: "ward-b"))
            #expect(second.number("conflicts") == 1)
            let pull = try await client.execute(uri: "/v1/pull", method: .get, headers: server.headers("coordinator"))
            guard case .array(let conflicts)? = pull.json["conflicts"], case .object(let conflict)? = conflicts.first
            else {
                Issue.record("no conflict in the pull")
                return
            }
            #expect(conflicts.count == 1)
            #expect(conflict["field"] == .string("numerator"))
            #expect(conflict["resolved"] == .bool(false))
            guard case .object(let loser)? = conflict["loser"], case .object(let winner)? = conflict["winner"] else {
                Issue.record("conflict sides missing")
                return
            }
            #expect(
                loser["value"] == .number(2) && loser["author"] == .string("amy")
                    && loser["replica"] == .string("ward-a"))
            #expect(winner["value"] == .number(4) && winner["author"] == .string("ben"))
            let south = try await client.execute(uri: "/v1/pull", method: .get, headers: server.headers("member-south"))
            #expect(south.json["conflicts"] == .array([]), "another site's conflicts stay private")
        }
    }
}
