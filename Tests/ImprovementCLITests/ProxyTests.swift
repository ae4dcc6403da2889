import Foundation
import ImprovementTestSupport
import Testing

/// Devices on networks that reach the outside only through a proxy: the `improve` binary
/// honours http_proxy / https_proxy / no_proxy as curl does. The device's server address is a
/// name that does not resolve; a small CONNECT proxy (Python, as proxies resolve names
/// themselves, it sends every tunnel to 127.0.0.1) is the only way to reach the real server.
@Suite("Proxies")
struct ProxyTests {
    @Test func aDeviceSyncsThroughTheProxyItsEnvironmentNames() throws {
        let (folder, server, device) = try Self.deviceBehindProxy()
        defer { server.stop() }
        let proxy = try ConnectProxy(in: folder)
        defer { proxy.stop() }

        let direct = try device.run(["sync", "--retries", "0"])
        #expect(direct.status != 0)
        #expect(direct.error.contains("improve-sync.invalid was not found"), "\(direct.error)")

        let bypassed = try device.run(
            ["sync", "--retries", "0"], environment: ["http_proxy": proxy.url, "no_proxy": "localhost,.invalid"])
        #expect(bypassed.status != 0, "no_proxy names the server's domain: it must be reached directly")
        #expect(try device.pending() == 1)
        #expect(try proxy.tunnels().isEmpty)

        try device.ok(["sync", "--retries", "0"], environment: ["HTTP_PROXY": proxy.url])
        #expect(try device.pending() == 0)
        #expect(try proxy.tunnels().allSatisfy { $0 == "improve-sync.invalid:\(server.port)" })
        #expect(try !proxy.tunnels().isEmpty)
    }

    @Test func anUnusableProxySettingIsExplainedAndLosesNothing() throws {
        let (_, server, device) = try Self.deviceBehindProxy()
        defer { server.stop() }
        let result = try device.run(["sync", "--retries", "0"], environment: ["http_proxy": "ftp://proxy.example:21"])
        #expect(result.status != 0)
        #expect(result.error.contains("http_proxy names a ftp proxy"), "\(result.error)")
        #expect(try device.pending() == 1)
    }

    /// A running server and a device with one pending change whose server address is an
    /// unresolvable name on the server's port.
    private static func deviceBehindProxy() throws -> (TemporaryFolder, TestServer, Device) {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let token = try server.addUser("dr.ahmed", role: "coordinator", sites: ["north"])
        try server.start()
        let device = Device("ward", user: "dr.ahmed", in: folder)
        try device.ok([
            "init", "--site", "north", "--server", "http://improve-sync.invalid:\(server.port)", "--token", token,
            "--replica", "ward",
        ])
        try device.ok(["site", "add", "north", "--name", "North"])
        #expect(try device.pending() == 1)
        return (folder, server, device)
    }
}
