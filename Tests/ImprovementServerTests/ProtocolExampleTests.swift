import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImprovementCore
import Testing

@testable import ImprovementServer

/// The example files of Protocol/examples are what the server accepts and answers.
@Suite("Protocol examples (server side)")
struct ProtocolExampleTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocol/examples")

    static func load(_ name: String) throws -> JSONValue {
        try JSONParser.parse(try Data(contentsOf: examples.appendingPathComponent(name)))
    }

    static func keys(_ value: JSONValue) -> Set<String> {
        if case .object(let object) = value { return Set(object.keys) }
        return []
    }

    @Test func theExamplePushIsAcceptedAndAnsweredWithTheDocumentedKeys() async throws {
        let server = try await ServerHarness()
        let body = try Data(contentsOf: Self.examples.appendingPathComponent("push-request.json"))
        let expected = Self.keys(try Self.load("push-response.json"))
        try await server.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/push", method: .post, headers: server.headers("admin"), body: ByteBuffer(bytes: body))
            #expect(response.status == .ok, "\(response.message)")
            #expect(Set(response.json.keys) == expected)
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(Set(health.json.keys) == Self.keys(try Self.load("health-response.json")))
            let pull = try await client.execute(uri: "/v1/pull", method: .get, headers: server.headers("admin"))
            #expect(Set(pull.json.keys) == Self.keys(try Self.load("pull-response.json")))
        }
    }

    @Test func theExamplePullPageIsReadableByClients() throws {
        guard case .object(let page) = try Self.load("pull-response.json"), case .array(let changes)? = page["changes"]
        else {
            Issue.record("pull-response.json has no changes")
            return
        }
        #expect(!changes.isEmpty)
        for (index, change) in changes.enumerated() {
            let decoded = try ChangeWire.change(from: change, path: "changes[\(index)]", allowSeq: true)
            #expect(decoded.seq != nil)
            try ChangeRules.check(decoded.change)
        }
    }

    @Test(arguments: [
        "error-bad-request.json", "error-batch-too-large.json", "error-body-too-large.json", "error-clock-skew.json",
        "error-forbidden.json", "error-invalid-change.json", "error-unauthorized.json",
        "error-unsupported-protocol.json",
    ])
    func errorExamplesUseTheServersCodes(file: String) throws {
        guard case .object(let error) = try Self.load(file), case .string(let code)? = error["code"],
            case .string(let message)? = error["message"]
        else {
            Issue.record("\(file) lacks code or message")
            return
        }
        let known: Set<String> = [
            "bad_request", "batch_too_large", "body_too_large", "clock_skew", "forbidden", "invalid_change",
            "unauthorized", "unsupported_protocol", "not_found", "method_not_allowed", "internal_error", "unavailable",
        ]
        #expect(known.contains(code))
        #expect(!message.isEmpty)
    }
}
