import Foundation
import ImprovementTestSupport

/// A small Python program serving on a free loopback port (it writes the port to a file once
/// it listens), for the network pieces that stand between a device and the server in real
/// deployments: a forward proxy, a TLS terminator.
struct LoopbackService {
    let process: Process
    let port: Int

    init(script: String, arguments: [String], in folder: TemporaryFolder, name: String) throws {
        let portFile = folder.path("\(name).port")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.prelude + script, portFile] + arguments
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: portFile), Date() < deadline { usleep(20_000) }
        guard let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("the test \(name) did not start")
        }
        self.port = port
    }

    /// SIGKILL: a child started from the test runner inherits its blocked signals, SIGTERM among them.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Listening, piping bytes both ways, announcing the port; `serve(connection)` is the script's.
    private static let prelude = #"""
        import os, socket, sys, threading
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
        def join(a, b):
            threading.Thread(target=pipe, args=(a, b), daemon=True).start()
            pipe(b, a)
        def listen_and_serve(serve):
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            with open(sys.argv[1] + ".tmp", "w") as f:
                f.write(str(listener.getsockname()[1]))
            os.rename(sys.argv[1] + ".tmp", sys.argv[1])
            while True:
                connection, _ = listener.accept()
                threading.Thread(target=serve, args=(connection,), daemon=True).start()

        """#
}

/// An HTTP CONNECT proxy that logs each tunnel's target and connects it to 127.0.0.1 on the
/// requested port (a proxy resolves names itself; the test's server name resolves nowhere else).
struct ConnectProxy {
    let service: LoopbackService
    let log: String

    var url: String { "http://127.0.0.1:\(service.port)" }

    init(in folder: TemporaryFolder) throws {
        log = folder.path("proxy.log")
        guard FileManager.default.createFile(atPath: log, contents: nil) else {
            throw TestFailure("cannot create \(log)")
        }
        service = try LoopbackService(
            script: #"""
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
                    with open(sys.argv[2], "a") as log:
                        log.write(target.decode() + "\n")
                    upstream = socket.create_connection(("127.0.0.1", int(target.rsplit(b":", 1)[1])))
                    client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    join(client, upstream)
                listen_and_serve(serve)
                """#, arguments: [log], in: folder, name: "proxy")
    }

    /// The `host:port` of every tunnel opened so far.
    func tunnels() throws -> [String] {
        try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func stop() { service.stop() }
}

/// TLS termination in front of a plain-HTTP server, as nginx does in production: a self-signed
/// certificate made with openssl for `names` (subjectAltName entries such as DNS:localhost).
struct TLSTerminator {
    let service: LoopbackService
    /// The certificate, in PEM: what a device trusts through SSL_CERT_FILE.
    let certificate: String

    init(forwardingTo port: Int, names: String, in folder: TemporaryFolder) throws {
        certificate = folder.path("tls-cert.pem")
        let key = folder.path("tls-key.pem")
        let openssl = try Processes.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
                "-subj", "/CN=improve-test", "-addext", "subjectAltName=\(names)",
            ], environment: ["PATH": "/usr/bin:/bin"], folder: folder.url.path)
        guard openssl.status == 0 else { throw TestFailure("openssl could not make a certificate: \(openssl.error)") }
        service = try LoopbackService(
            script: #"""
                import ssl
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(sys.argv[2], sys.argv[3])
                def serve(client):
                    try:
                        secure = context.wrap_socket(client, server_side=True)
                    except (ssl.SSLError, OSError):
                        return client.close()
                    join(secure, socket.create_connection(("127.0.0.1", int(sys.argv[4]))))
                listen_and_serve(serve)
                """#, arguments: [certificate, key, String(port)], in: folder, name: "tls")
    }

    var port: Int { service.port }

    func stop() { service.stop() }
}
