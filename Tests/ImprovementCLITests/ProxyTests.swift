import Foundation
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

/// An HTTP CONNECT proxy on a loopback port that logs each tunnel's target and connects it to
/// 127.0.0.1 on the requested port.
struct ConnectProxy {
    let process: Process
    let port: Int
    let log: String

    var url: String { "http://127.0.0.1:\(port)" }

    private static let script = #"""
        import socket, sys, threading
        port_file, log_file = sys.argv[1], sys.argv[2]
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        def pipe(a, b):
            try:
                while True:
                    data = a.recv(65536)
                    if not data:
                        break
                    b.sendall(data)
            except OSError:
                pass
            finally:
                for s in (a, b):
                    try: s.shutdown(socket.SHUT_RDWR)
                    except OSError: pass
        def serve(client):
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return client.close()
                head += chunk
            method, target = head.split(b" ")[:2]
            if method != b"CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return client.close()
            with open(log_file, "a") as log:
                log.write(target.decode() + "\n")
            upstream = socket.create_connection(("127.0.0.1", int(target.rsplit(b":", 1)[1])))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
            pipe(upstream, client)
        with open(port_file + ".tmp", "w") as f:
            f.write(str(listener.getsockname()[1]))
        import os; os.rename(port_file + ".tmp", port_file)
        while True:
            connection, _ = listener.accept()
            threading.Thread(target=serve, args=(connection,), daemon=True).start()
        """#

    init(in folder: TemporaryFolder) throws {
        let portFile = folder.path("proxy.port")
        log = folder.path("proxy.log")
        guard FileManager.default.createFile(atPath: log, contents: nil) else {
            throw TestFailure("cannot create \(log)")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, portFile, log]
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: portFile), Date() < deadline { usleep(20_000) }
        guard let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("the test proxy did not start")
        }
        self.port = port
    }

    /// The `host:port` of every tunnel opened so far.
    func tunnels() throws -> [String] {
        try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// SIGKILL: a child started from the test runner inherits its blocked signals, SIGTERM among them.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
