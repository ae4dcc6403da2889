import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `improve-server` binary: accounts from its command line, a real port, SIGTERM.
@Suite("improve-server process")
struct ServerProcessTests {
    @Test func accountsServeAndGracefulShutdown() async throws {
        let binary = try Binaries.path("improve-server")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "improve-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("server.sqlite").path

        let added = try Binaries.run(
            binary, ["user", "add", "sister.okafor", "--role", "member", "--sites", "north", "--database", database])
        #expect(added.status == 0)
        let token = try #require(added.output.split(whereSeparator: \.isWhitespace).last.map(String.init))
        #expect(token.hasPrefix("imp_"))
        #expect(
            !(try String(contentsOfFile: database, encoding: .isoLatin1)).contains(token), "the token is not stored")

        let bad = try Binaries.run(binary, ["user", "add", "x", "--role", "chief", "--database", database])
        #expect(bad.status != 0)
        #expect(bad.error.contains("--role must be one of: admin, coordinator, member, viewer"))
        let noSites = try Binaries.run(binary, ["user", "add", "y", "--role", "member", "--database", database])
        #expect(noSites.status != 0 && noSites.error.contains("needs the sites it belongs to"))

        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["serve", "--database", database, "--port", "0"]
        let output = Pipe()
        let errors = Pipe()
        server.standardOutput = output
        server.standardError = errors
        try server.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(
            line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        let base = "http://127.0.0.1:\(port)"

        let (health, healthResponse) = try await URLSession.shared.data(from: URL(string: base + "/health")!)
        #expect((healthResponse as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: health, as: UTF8.self).contains("\"status\":\"ok\""))

        var pull = URLRequest(url: URL(string: base + "/v1/pull")!)
        pull.setValue("1", forHTTPHeaderField: "Improve-Protocol")
        pull.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (_, allowed) = try await URLSession.shared.data(for: pull)
        #expect((allowed as? HTTPURLResponse)?.statusCode == 200)

        let revoked = try Binaries.run(binary, ["user", "revoke", "sister.okafor", "--database", database])
        #expect(revoked.status == 0)
        let (body, refused) = try await URLSession.shared.data(for: pull)
        #expect((refused as? HTTPURLResponse)?.statusCode == 401)
        #expect(String(decoding: body, as: UTF8.self).contains("\"code\":\"unauthorized\""))

        server.terminate()  // SIGTERM
        server.waitUntilExit()
        #expect(server.terminationReason == .exit && server.terminationStatus == 0, "graceful shutdown exits cleanly")
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(!log.contains(token), "tokens never reach the log")
    }
}
