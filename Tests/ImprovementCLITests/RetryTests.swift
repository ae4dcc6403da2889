import Foundation
import ImprovementTestSupport
import Testing

/// Transient failures (no server, server errors) are retried with exponential backoff.
@Suite("Retries")
struct RetryTests {
    @Test func anUnreachableServerIsRetriedThenExplained() throws {
        let folder = try TemporaryFolder()
        let device = Device("ward", user: "nurse.patel", in: folder)
        // Port 9 (discard) is closed on loopback: every attempt is refused at once.
        try device.ok([
            "init", "--site", "north", "--server", "http://127.0.0.1:9", "--token", "imp_x", "--replica", "ward",
        ])
        try device.ok(["site", "add", "north", "--name", "North"])
        let result = try device.run(["sync", "--retries", "2", "--retry-delay", "0.05"])
        #expect(result.status == 69)
        #expect(result.error.contains("Could not reach the server"))
        #expect(result.error.contains("retry 1 of 2") && result.error.contains("retry 2 of 2"))
        #expect(result.error.contains("Tried 3 times") && result.error.contains("kept on this device"))
        #expect(try device.pending() == 1)
    }

    @Test func aServerThatComesBackIsReachedByARetry() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let token = try server.addUser("dr.ahmed", role: "coordinator", sites: ["north"])
        try server.start()
        let port = server.port
        server.stop()

        let device = Device("ward", user: "dr.ahmed", in: folder)
        try device.initialise(site: "north", server: server, token: token, replica: "ward")
        try device.ok(["site", "add", "north", "--name", "North"])
        let output = folder.path("sync.out")
        let errors = folder.path("sync.err")
        var environment = Processes.environment(home: folder.url.path, extra: ["IMPROVE_USER": "dr.ahmed"])
        environment["IMPROVE_STORE"] = device.store
        let sync = try Processes.start(
            try Binaries.path("improve"), ["sync", "--retry-delay", "0.4"], environment: environment, output: output,
            error: errors)
        #expect(Processes.wait(for: "retry 1 of 5", in: errors))
        try server.start(port: port)
        defer { server.stop() }
        sync.waitUntilExit()
        #expect(sync.terminationStatus == 0, "\((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")")
        #expect(try device.pending() == 0)
    }
}
