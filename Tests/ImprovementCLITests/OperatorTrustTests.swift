import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an operator relies on around the data (issue 16): clean stops leave whole files, health
/// answers tell the truth, body errors say what happened, start-up errors name file, cause and fix,
/// one version everywhere, reusable names of revoked accounts, and refusals without usage text.
@Suite("Operating the server and devices")
struct OperatorTrustTests {
    // MARK: - Clean stops

    @Test("after SIGTERM, server.sqlite alone holds every acknowledged change and the -wal is gone")
    func serverStopLeavesWholeFile() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let token = try server.addUser("coordinator", role: "admin")
        try server.start()
        let device = Device("tablet", user: "nurse", in: folder)
        try device.initialise(site: "north", server: server, token: token, replica: "tablet")
        try device.defineProgramme()
        var csv = "measure,unit,period,numerator,denominator,value,note\n"
        for week in 1...40 { csv += "falls-rate,ward-7,\(Dates.week(week)),\(week % 7),400,,\n" }
        let file = folder.path("weeks.csv")
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        try device.ok(["import", file])
        try device.ok(["sync"])
        #expect(try device.pending() == 0, "every change was acknowledged")
        #expect(FileManager.default.fileExists(atPath: server.database + "-wal"), "a running server keeps its log")

        server.stop()
        #expect(!FileManager.default.fileExists(atPath: server.database + "-wal"), "the clean stop removed the -wal")
        #expect(!FileManager.default.fileExists(atPath: server.database + "-shm"))

        // The operator's cold backup: the .sqlite file alone, served from elsewhere.
        let elsewhere = try TemporaryFolder()
        let copy = elsewhere.path("restored.sqlite")
        try FileManager.default.copyItem(atPath: server.database, toPath: copy)
        let restored = try TestServer(in: elsewhere, database: copy)
        try restored.start()
        let fresh = Device("laptop", user: "lead", in: elsewhere)
        try fresh.initialise(site: "north", server: restored, token: token, replica: "laptop")
        try fresh.ok(["sync"])
        #expect(try fresh.observations(["--measure", "falls-rate"]).count == 40, "every change is in the copy")
    }

    @Test("after improve exits, the device's .sqlite alone holds what it recorded")
    func deviceExitLeavesWholeFile() throws {
        let folder = try TemporaryFolder()
        let device = Device("tablet", user: "nurse", in: folder)
        try device.initialise(site: "north", replica: "tablet")
        try device.defineProgramme()
        try device.ok([
            "record", "falls-rate", "--unit", "ward-7", "--period", Dates.week(1), "--numerator", "3",
            "--denominator", "412",
        ])
        #expect(!FileManager.default.fileExists(atPath: device.store + "-wal"))

        let elsewhere = try TemporaryFolder()
        let copy = Device("copy", user: "nurse", in: elsewhere)
        try FileManager.default.copyItem(atPath: device.store, toPath: copy.store)
        let observations = try copy.observations(["--measure", "falls-rate"])
        #expect(observations.count == 1)
        #expect((observations.first?["numerator"] as? NSNumber)?.doubleValue == 3)
    }

    // MARK: - Health

    @Test("/health is liveness, /health/ready checks a write and the free disk; both state the versions")
    func healthTellsTheTruth() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder).start()
        let live = try RawHTTP.exchange(port: server.port, request: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(live.status == 200)
        let liveJSON = try live.json()
        #expect(liveJSON["version"] as? String == ImproveVersion.current)
        #expect(liveJSON["protocolVersions"] as? [Int] == ImproveVersion.protocolVersions)
        #expect(liveJSON["status"] as? String == "ok")

        let ready = try RawHTTP.exchange(port: server.port, request: "GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(ready.status == 200)
        let readyJSON = try ready.json()
        #expect(readyJSON["status"] as? String == "ready")
        #expect(readyJSON["version"] as? String == ImproveVersion.current)
        #expect((readyJSON["freeBytes"] as? Int ?? 0) > 0)

        // A disk "fuller" than the threshold: not ready, in words, while still alive.
        let full = try TestServer(in: folder).start(options: ["--min-free-bytes", "9000000000000000000"])
        let notReady = try RawHTTP.exchange(port: full.port, request: "GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(notReady.status == 503)
        let reason = try notReady.json()
        #expect(reason["code"] as? String == "not_ready")
        #expect((reason["message"] as? String ?? "").contains("free on the disk of"))
        #expect(reason["version"] as? String == ImproveVersion.current)
        #expect(try RawHTTP.exchange(port: full.port, request: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
    }

    // MARK: - Request bodies

    @Test("a body over the limit is read and answered 413; an upload cut short is 400 incomplete_body")
    func bodyErrorsSayWhatHappened() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let token = try server.addUser("coordinator", role: "admin")
        try server.start()
        let head = { (length: Int) in
            "POST /v1/push HTTP/1.1\r\nHost: x\r\nImprove-Protocol: 1\r\nAuthorization: Bearer \(token)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(length)\r\n\r\n"
        }
        // 64 MiB, all of it sent before the client reads, as a simple HTTP/1.1 client does.
        let large = 64 * 1024 * 1024
        let tooLarge = try RawHTTP.exchange(port: server.port, request: head(large), bodyBytes: large)
        #expect(tooLarge.status == 413, "the sender sees the answer, not a reset: \(tooLarge.raw.prefix(200))")
        #expect(try tooLarge.json()["code"] as? String == "body_too_large")
        #expect(try tooLarge.json()["limit"] as? Int == 8_388_608)

        // Content-Length promises 10,000 bytes; 100 arrive, then the sender's side closes.
        let cut = try RawHTTP.exchange(port: server.port, request: head(10_000), bodyBytes: 100, halfClose: true)
        #expect(cut.status == 400)
        #expect(try cut.json()["code"] as? String == "incomplete_body")
        #expect(!(try cut.json()["message"] as? String ?? "").contains("limit"))

        let metrics = try RawHTTP.exchange(port: server.port, request: "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body
        #expect(metrics.contains("improve_request_body_errors_total{code=\"body_too_large\"} 1"))
        #expect(metrics.contains("improve_request_body_errors_total{code=\"incomplete_body\"} 1"))
    }

    // MARK: - Start-up errors

    /// Runs `improve-server serve` on `database` and returns what it said; it must stop at once.
    func serveFails(_ database: String, in folder: TemporaryFolder, asUser uid: UInt32? = nil) throws -> String {
        var binary = try Binaries.path("improve-server")
        var arguments = ["serve", "--database", database, "--port", "0"]
        if let uid {
            arguments = ["--reuid", String(uid), "--regid", String(uid), "--clear-groups", binary] + arguments
            binary = try #require(Binaries.onPath("setpriv"))
        }
        let result = try Processes.run(
            binary, arguments, environment: Processes.environment(home: folder.url.path), folder: folder.url.path)
        #expect(result.status != 0)
        #expect(!result.error.contains("SQLite error"), "no raw SQLite message: \(result.error)")
        #expect(!result.error.contains("Usage:"))
        return result.error
    }

    @Test("a folder, a missing folder, random bytes, another program's database and a newer format are named")
    func startUpErrorsNameCauseAndFix() throws {
        let folder = try TemporaryFolder()
        let directory = folder.path("a-folder")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let asFolder = try serveFails(directory, in: folder)
        #expect(asFolder.contains("\(directory): it is a folder, not a file"))

        let missing = folder.path("no-such-folder/server.sqlite")
        #expect(
            try serveFails(missing, in: folder).contains("the folder \(folder.path("no-such-folder")) does not exist"))

        let junk = folder.path("junk.sqlite")
        var generator = SystemRandomNumberGenerator()
        try Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(
            to: URL(fileURLWithPath: junk))
        let notDatabase = try serveFails(junk, in: folder)
        #expect(notDatabase.contains("\(junk): it is not an Improve database"))
        #expect(notDatabase.contains("restore it from a backup"))

        let sqlite3 = try #require(
            Binaries.onPath("sqlite3"), "the Debian package sqlite3 is installed by the test script")
        let other = folder.path("other.sqlite")
        _ = try Processes.run(
            sqlite3, [other, "CREATE TABLE patients (id INTEGER)"], environment: [:], folder: folder.url.path)
        #expect(try serveFails(other, in: folder).contains("a SQLite database of another program"))

        // A future release that changes the file so this one must not use it says so in `meta`.
        let server = try TestServer(in: folder)
        _ = try server.addUser("admin", role: "admin")
        _ = try Processes.run(
            sqlite3, [server.database, "INSERT INTO meta (key, value) VALUES ('format_required', '2')"],
            environment: [:], folder: folder.url.path)
        let newer = try serveFails(server.database, in: folder)
        #expect(newer.contains("a newer release of Improve has changed it"))
        #expect(newer.contains(ImproveVersion.current))

        // The device names the same causes.
        let device = Device("tablet", user: "nurse", in: folder)
        try FileManager.default.copyItem(atPath: junk, toPath: device.store)
        let refused = try device.run(["observations"])
        #expect(refused.status != 0)
        #expect(refused.error.contains("\(device.store): it is not an Improve database"))
    }

    @Test(
        "a database another user owns is named, with the fix",
        .enabled(if: Binaries.onPath("setpriv") != nil, "setpriv runs the server as another user"))
    func startUpErrorNamesPermissions() throws {
        // Root reads any file, so a mode-000 file proves nothing when the tests run as root: run the
        // server as `nobody` (uid 65534) on a root-owned 0600 file instead, the usual cause in practice.
        let folder = try TemporaryFolder()
        chmod(folder.url.path, 0o755)
        let server = try TestServer(in: folder)
        _ = try server.addUser("admin", role: "admin")
        let nobody: UInt32 = 65534
        guard geteuid() == 0 else {
            // Not root: the file is this user's; take its rights away instead.
            chmod(server.database, 0o000)
            #expect(try serveFails(server.database, in: folder).contains("permission denied"))
            return
        }
        let said = try serveFails(server.database, in: folder, asUser: nobody)
        #expect(said.contains("\(server.database) cannot be read and written by this user (permission denied)"))
        #expect(said.contains("chown"))
    }

    // MARK: - Versions, names, refusals

    @Test("--version of improve, improve-server and improve-bench is the one version constant")
    func versions() throws {
        let folder = try TemporaryFolder()
        for binary in ["improve", "improve-server", "improve-bench"] {
            let result = try Processes.run(
                try Binaries.path(binary), ["--version"], environment: Processes.environment(home: folder.url.path),
                folder: folder.url.path)
            #expect(result.status == 0)
            #expect(
                result.output.trimmingCharacters(in: .whitespacesAndNewlines) == ImproveVersion.current, "\(binary)")
        }
        #expect(ImproveVersion.userAgent == "improve/\(ImproveVersion.current)")
    }

    @Test("a revoked account's name can be given again; refusals print no usage text")
    func revokedNamesReusedWithoutUsageText() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let old = try server.addUser("viewer1", role: "viewer", sites: ["north"])
        let binary = try Binaries.path("improve-server")
        let run = { (arguments: [String]) in
            try Processes.run(
                binary, arguments + ["--database", server.database],
                environment: Processes.environment(home: folder.url.path), folder: folder.url.path)
        }
        let taken = try run(["user", "add", "viewer1", "--role", "viewer", "--sites", "north"])
        #expect(taken.status != 0)
        #expect(taken.error.contains("There is already an account called viewer1"))
        #expect(!taken.error.contains("Usage:"), "a refusal is not a usage mistake: \(taken.error)")
        let badVariable = try Processes.run(
            binary, ["serve"],
            environment: Processes.environment(
                home: folder.url.path, extra: ["IMPROVE_DATABASE": server.database, "IMPROVE_PORT": "eighty"]),
            folder: folder.url.path)
        #expect(badVariable.status != 0 && badVariable.error.contains("IMPROVE_PORT=eighty is not a whole number"))
        #expect(!badVariable.error.contains("Usage:"), "a wrong variable is not a command-line mistake")
        let unknown = try run(["user", "revoke", "nobody-here"])
        #expect(unknown.status != 0 && unknown.error.contains("There is no account called nobody-here"))
        #expect(!unknown.error.contains("Usage:"))

        try server.revoke("viewer1")
        let new = try server.addUser("viewer1", role: "member", sites: ["north"])
        let listed = try run(["user", "list"]).output.split(separator: "\n").filter { $0.hasPrefix("viewer1\t") }
        #expect(
            listed == ["viewer1\tviewer\tnorth\trevoked", "viewer1\tmember\tnorth"], "the old account stays, revoked")

        try server.start()
        let account = { (token: String) in
            try RawHTTP.exchange(
                port: server.port,
                request:
                    "GET /v1/account HTTP/1.1\r\nHost: x\r\nImprove-Protocol: 1\r\nAuthorization: Bearer \(token)\r\n\r\n"
            )
        }
        #expect(try account(old).status == 401, "the revoked token stays withdrawn")
        let answer = try account(new)
        #expect(answer.status == 200)
        #expect(try answer.json()["role"] as? String == "member")

        // The device's refusals have never printed usage text; keep it so.
        let device = Device("tablet", user: "nurse", in: folder)
        try device.initialise(site: "north", replica: "tablet")
        let refused = try device.run([
            "record", "no-such-measure", "--unit", "ward-7", "--period", Dates.week(1), "--value", "3",
        ])
        #expect(refused.status != 0)
        #expect(!refused.error.contains("Usage:"), "\(refused.error)")
    }
}

/// HTTP/1.1 over a plain socket, so a test controls exactly which bytes are sent and when the
/// sending side closes — what a real HTTP client hides.
enum RawHTTP {
    struct Answer {
        var status: Int
        var raw: String
        var body: String

        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                throw TestFailure("not a JSON object: \(body)")
            }
            return object
        }
    }

    /// Sends `request` (head, and any body text in it), then `bodyBytes` bytes of `x`, then
    /// optionally shuts the sending side; reads the answer (by its Content-Length, or to the end).
    static func exchange(port: Int, request: String, bodyBytes: Int = 0, halfClose: Bool = false) throws -> Answer {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestFailure("socket: \(errno)") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw TestFailure("connect: \(errno)") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try sendAll(socket, Array(request.utf8))
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 65536)
        var sent = 0
        while sent < bodyBytes {
            let count = min(chunk.count, bodyBytes - sent)
            try sendAll(socket, Array(chunk[0..<count]))
            sent += count
        }
        if halfClose { shutdown(socket, Int32(SHUT_WR)) }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
            if let answer = complete(received) { return answer }
        }
        if let answer = complete(received) { return answer }
        throw TestFailure("no complete answer (errno \(errno)): \(String(decoding: received, as: UTF8.self))")
    }

    static func sendAll(_ socket: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw TestFailure("send failed after \(offset) bytes (errno \(errno))") }
            offset += count
        }
    }

    /// The answer once its head and `Content-Length` bytes of body have arrived.
    static func complete(_ bytes: [UInt8]) -> Answer? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<end.lowerBound]
        let body = String(text[end.upperBound...])
        let lengthLine = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
        let length = lengthLine.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
        guard let length, body.utf8.count >= length else { return nil }
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return Answer(status: status, raw: text, body: body)
    }
}
