import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImprovementCore
import Testing

@testable import ImprovementServer

/// Client mistakes get a 4xx with a JSON {code, message}, never a 5xx, and change nothing.
@Suite("Guards")
struct GuardTests {
    func push(_ body: String, server: ServerHarness, headers: HTTPFields? = nil) async throws -> TestResponse {
        try await server.application().test(.router) { client in
            try await client.execute(
                uri: "/v1/push", method: .post, headers: headers ?? server.headers("admin"),
                body: ByteBuffer(string: body))
        }
    }

    static let malformedBodies: [(String, String)] = [
        ("not json", "not valid JSON"),
        ("{\"replica\":\"ward-a\",\"changes\":[}", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ("{\"changes\":[]}", "replica: is required"),
        ("{\"replica\":\"Ward A\",\"changes\":[]}", "replica: must be 1-64 characters"),
        ("{\"replica\":\"ward-a\",\"changes\":[]}", "at least one change"),
        ("{\"replica\":\"ward-a\",\"changes\":{}}", "changes: is required and must be an array"),
        ("{\"replica\":\"ward-a\",\"changes\":[1]}", "changes[0]: must be an object"),
        ("{\"replica\":\"ward-a\",\"changes\":[],\"extra\":1}", "extra: is not a field"),
        ("{\"replica\":\"ward-a\",\"replica\":\"ward-b\",\"changes\":[]}", "duplicate key"),
        (
            #"{"replica":"ward-a","changes":[{"id":"c","replica":"ward-a","type":"site","entity":"x","hlc":"yesterday","author":"a","fields":{"name":"X"}}]}"#,
            "changes[0].hlc"
        ),
        (
            #"{"replica":"ward-a","changes":[{"id":"c","replica":"ward-a","type":"site","entity":"x","hlc":"0001780315100000-00000-ward-a","author":"a","fields":{"name":["X"]}}]}"#,
            "changes[0].fields.name"
        ),
        (
            #"{"replica":"ward-a","changes":[{"id":"c","replica":"ward-a","type":"site","entity":"x","hlc":"0001780315100000-00000-ward-a","author":7,"fields":{"name":"X"}}]}"#,
            "changes[0].author: must be a string"
        ),
        (
            #"{"replica":"ward-a","changes":[{"id":"c","replica":"ward-a","type":"site","entity":"x","hlc":"0001780315100000-00000-ward-a","author":"a","fields":{"name":"X"},"colour":"red"}]}"#,
            "changes[0].colour: is not a field"
        ),
    ]

    @Test(arguments: malformedBodies)
    func malformedBodiesAreRefusedWithTheirPath(body: String, expected: String) async throws {
        let server = try await ServerHarness()
        let response = try await push(body, server: server)
        #expect(response.status == .badRequest)
        #expect(response.code == "bad_request")
        #expect(response.message.contains(expected), "message was: \(response.message)")
        #expect(try await server.storage.lastSequence() == 0)
    }

    @Test func anEmptyFieldsObjectOrANonFiniteLookingValueIsAnInvalidChange() async throws {
        let server = try await ServerHarness()
        var changeDraft = Changes.observation(site: "north", unit: "ward-7")
        changeDraft.fields = [:]
        let change = changeDraft
        let response = try await server.application().test(.router) { client in
            try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("admin"), body: Changes.body([change]))
        }
        #expect(response.status == .unprocessableContent && response.code == "invalid_change")
        #expect(response.message.contains("changes no field"))
        #expect(response.json["change"] == .string(change.id) && response.number("index") == 0)
    }

    @Test func aChangeFromAnotherReplicaIsRefused() async throws {
        let server = try await ServerHarness()
        let change = Changes.observation(site: "north", unit: "ward-7", replica: "ward-b")
        let response = try await server.application().test(.router) { client in
            try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("admin"),
                body: Changes.body([change], replica: "ward-a"))
        }
        #expect(response.status == .forbidden)
        #expect(response.message.contains("sent by replica ward-a"))
        #expect(response.json["change"] == .string(change.id) && response.number("index") == 0)
    }

    @Test func bodiesOverTheLimitGet413WithTheLimit() async throws {
        let server = try await ServerHarness(maxBodyBytes: 2048)
        let batch = (0..<20).map { Changes.observation(site: "north", unit: "ward-7", week: "2026-05-\(10 + $0)") }
        let response = try await server.application().test(.router) { client in
            try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("admin"), body: Changes.body(batch))
        }
        #expect(response.status == .contentTooLarge)
        #expect(response.code == "body_too_large")
        #expect(response.message.contains("2048 bytes"))
        #expect(response.number("limit") == 2048)
        #expect(try await server.storage.lastSequence() == 0)
    }

    @Test func batchesOverTheLimitGet400WithTheLimit() async throws {
        let server = try await ServerHarness(maxBatchSize: 3)
        let batch = (0..<4).map { Changes.observation(site: "north", unit: "ward-7", week: "2026-05-1\($0)") }
        let response = try await server.application().test(.router) { client in
            try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("admin"), body: Changes.body(batch))
        }
        #expect(response.status == .badRequest)
        #expect(response.code == "batch_too_large")
        #expect(response.message.contains("at most 3 changes"))
        #expect(response.number("limit") == 3)
    }

    @Test(arguments: [nil, "2", "one", "0"])
    func anUnsupportedProtocolVersionNamesTheSupportedOnes(version: String?) async throws {
        let server = try await ServerHarness()
        let response = try await server.application().test(.router) { client in
            try await client.execute(
                uri: "/v1/pull", method: .get, headers: server.headers("admin", protocolVersion: version))
        }
        #expect(response.status == .badRequest)
        #expect(response.code == "unsupported_protocol")
        #expect(response.message.contains("protocol versions: 1"))
        #expect(response.json["supported"] == .array([.number(1)]))
    }

    @Test func changesStampedTooFarAheadAreRefusedWithTheServerTime() async throws {
        let server = try await ServerHarness()
        let early = Changes.observation(site: "north", unit: "ward-7", millis: ServerHarness.now + 4 * 60_000)
        let skewed = Changes.observation(site: "north", unit: "ward-9", millis: ServerHarness.now + 42 * 60_000)
        try await server.application().test(.router) { client in
            let refused = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("member-north"),
                body: Changes.body([early, skewed]))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.code == "clock_skew")
            #expect(
                refused.message
                    == "This device's clock is ahead of the server by about 42 minutes. Set the date and time correctly; your changes are kept on the device and will be sent once the clock is right."
            )
            #expect(refused.json["serverTime"] == .string("2026-06-01T12:00:00.000Z"))
            #expect(refused.number("serverTimeMillis") == Double(ServerHarness.now))
            #expect(try await server.storage.lastSequence() == 0)
            let withinTolerance = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("member-north"), body: Changes.body([early]))
            #expect(withinTolerance.status == .ok)
        }
    }

    @Test func unknownRoutesMethodsAndParametersGetJSONErrors() async throws {
        let server = try await ServerHarness()
        try await server.application().test(.router) { client in
            let missing = try await client.execute(uri: "/v2/pull", method: .get, headers: server.headers("admin"))
            #expect(missing.status == .notFound && missing.code == "not_found")
            let wrongMethod = try await client.execute(uri: "/v1/push", method: .get, headers: server.headers("admin"))
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.code == "method_not_allowed")
            #expect(wrongMethod.headers[.allow] == "POST")
            let newerClient = try await client.execute(
                uri: "/v1/pull?after=0&colour=red", method: .get, headers: server.headers("admin"))
            #expect(newerClient.status == .ok, "unknown parameters are ignored")
            for query in ["after=-1", "after=x", "limit=0", "limit=10001", "after=1&after=2"] {
                let bad = try await client.execute(
                    uri: "/v1/pull?\(query)", method: .get, headers: server.headers("admin"))
                #expect(bad.status == .badRequest && bad.code == "bad_request", "\(query)")
            }
        }
    }
}
