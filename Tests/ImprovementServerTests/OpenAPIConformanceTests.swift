import Foundation
import ImprovementTestSupport
import Testing

/// Protocol/openapi.yaml checked against the real server binary with schemathesis (installed by
/// scripts/test.sh): server errors, status codes, content types, response schemas, headers,
/// undeclared methods and ignored authentication.
@Suite("OpenAPI conformance")
struct OpenAPIConformanceTests {
    @Test func theRunningServerMatchesItsOpenAPIDocument() async throws {
        let schemathesis = try #require(
            Self.executable("st"),
            "schemathesis is not installed: run `bash scripts/test.sh`, which installs it from PyPI")
        let binary = try Binaries.path("improve-server")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "improve-openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("server.sqlite").path
        let added = try Binaries.run(binary, ["user", "add", "conformance", "--role", "admin", "--database", database])
        let token = try #require(added.output.split(whereSeparator: \.isWhitespace).last.map(String.init))

        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["serve", "--database", database, "--port", "0", "--log-level", "error"]
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(
            line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })

        // Rules OpenAPI 3.0 cannot state (the replica inside hlc, kinds of known fields, the clock,
        // roles and sites) may rightly refuse a schema-valid push: Protocol/README.md §16.
        try """
        [[operations]]
        include-path = "/v1/push"
        checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "422"]

        # A live pull holds the request open up to `wait` seconds: longer than a test request may take.
        [[operations]]
        include-path = "/v1/pull"
        parameters = { "query.wait" = 0 }
        """.write(to: folder.appendingPathComponent("schemathesis.toml"), atomically: true, encoding: .utf8)
        let run = Process()
        run.executableURL = URL(fileURLWithPath: schemathesis)
        run.currentDirectoryURL = folder
        run.arguments = [
            "run", root.appendingPathComponent("Protocol/openapi.yaml").path, "--url", "http://127.0.0.1:\(port)",
            "-H", "Authorization: Bearer \(token)", "-H", "Improve-Protocol: 1", "--max-examples", "60",
            "--seed", "20261128",
        ]
        let report = Pipe()
        run.standardOutput = report
        run.standardError = report
        try run.run()
        let text = String(decoding: report.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        #expect(run.terminationStatus == 0, "schemathesis found problems:\n\(text.suffix(4000))")
    }

    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        let candidates = path.split(separator: ":").map(String.init) + [home + "/.local/bin"]
        return candidates.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
