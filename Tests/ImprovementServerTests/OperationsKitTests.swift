import Foundation
import Hummingbird
import ImprovementCore
import ImprovementServer
import ImprovementTestSupport
import Logging
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The files in `Server/` checked against the built `improve-server` and the tools an operator
/// uses: the example environment file, the systemd unit, compose, the Containerfile's runtime
/// libraries, the documented SQLite backup and restore, and the IMPROVE_* fallbacks.
/// (No container engine here: the image itself is not built.)
@Suite("operations kit")
struct OperationsKitTests {
    // MARK: (a) the example environment file runs the real server

    @Test func exampleEnvironmentFileStartsTheServer() async throws {
        let file = try String(
            contentsOf: OpsKit.server.appendingPathComponent("improve-server.env.example"),
            encoding: .utf8
        )
        for variable in ServerEnvironment.Variable.allCases {
            #expect(file.contains(variable.rawValue), "the example documents \(variable.rawValue)")
        }
        #expect(file.contains("PGPASSWORD"), "the example says where the PostgreSQL password goes")
        let settings = try OpsKit.environmentFile(file)
        #expect(
            settings["IMPROVE_DATABASE"] == "/var/lib/improve/server.sqlite",
            "the default matches the unit's StateDirectory"
        )

        let folder = try OpsKit.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = settings
        environment["IMPROVE_DATABASE"] = folder.appendingPathComponent("server.sqlite").path
        environment["IMPROVE_PORT"] = "0"
        let server = try OpsKit.RunningServer(arguments: ["serve"], environment: environment)
        #expect(server.host == settings["IMPROVE_HOST"])
        #expect(try await OpsKit.status(server.base + "/health") == 200)
        let (status, log) = server.stop()
        #expect(status == 0, "SIGTERM stops the server cleanly")
        #expect(log.contains("opening database"), "IMPROVE_LOG_LEVEL=info from the file logs start-up")
    }

    // MARK: (b) the systemd unit

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: OpsKit.systemdAnalyze),
            "systemd-analyze is not installed"
        )
    )
    func systemdUnitVerifies() throws {
        let unit = try String(
            contentsOf: OpsKit.server.appendingPathComponent("improve-server.service"),
            encoding: .utf8
        )
        let keys = OpsKit.unitKeys(unit)
        #expect(
            keys["ExecStart"] == ["/opt/improve/bin/improve-server serve"],
            "the configuration comes from the env file"
        )
        #expect(keys["EnvironmentFile"] == ["/etc/improve/improve-server.env"])
        #expect(keys["StateDirectory"] == ["improve"], "/var/lib/improve, where the example puts the SQLite file")
        #expect(keys["User"]?.first.map { $0 != "root" } == true)
        for (key, value) in [
            ("NoNewPrivileges", "true"), ("ProtectSystem", "strict"), ("ProtectHome", "true"), ("PrivateTmp", "true"),
            ("KillSignal", "SIGTERM"),
        ] {
            #expect(keys[key] == [value], "\(key)=\(value)")
        }

        // verify checks that ExecStart exists: point it at the built binary in a copy of the unit.
        let folder = try OpsKit.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("improve-server.service")
        try unit.replacingOccurrences(of: "/opt/improve/bin/improve-server", with: try OpsKit.binary())
            .write(to: copy, atomically: true, encoding: .utf8)
        let result = try OpsKit.run(OpsKit.systemdAnalyze, ["verify", copy.path])
        // Unknown or misspelt keys are only warnings (exit 0): any line about the unit fails the test.
        let complaints = (result.output + result.error).split(separator: "\n").filter {
            $0.contains("improve-server.service")
        }
        #expect(result.status == 0, "systemd-analyze verify: \(result.error)")
        #expect(complaints.isEmpty, "systemd-analyze verify: \(complaints.joined(separator: "\n"))")
    }

    // MARK: (c) compose.yaml

    @Test func composeFileNamesWhatExists() throws {
        let compose = try OpsKit.yaml(OpsKit.server.appendingPathComponent("compose.yaml"))
        let services = try #require(compose["services"] as? [String: Any])
        let postgres = try #require(services["postgres"] as? [String: Any], "a postgres service")
        #expect((postgres["image"] as? String)?.hasPrefix("postgres:15") == true)

        let servers = services.filter { (_, value) in
            ((value as? [String: Any])?["build"] as? [String: Any])?["dockerfile"] != nil
        }
        #expect(servers.count >= 2, "at least two improve-server processes behind the load balancer")
        for (name, value) in servers {
            let service = try #require(value as? [String: Any])
            let build = try #require(service["build"] as? [String: Any])
            let context = OpsKit.server.appendingPathComponent(try #require(build["context"] as? String))
            let containerfile = context.appendingPathComponent(try #require(build["dockerfile"] as? String))
            #expect(FileManager.default.fileExists(atPath: containerfile.path), "\(name) builds \(containerfile.path)")
            #expect(FileManager.default.fileExists(atPath: context.appendingPathComponent("Package.swift").path))

            let envFiles = try #require(service["env_file"] as? [[String: Any]])
            #expect(envFiles.contains { $0["path"] as? String == "improve-server.env.example" })
            for entry in envFiles where entry["required"] as? Bool != false {
                let path = try #require(entry["path"] as? String)
                #expect(
                    FileManager.default.fileExists(atPath: OpsKit.server.appendingPathComponent(path).path),
                    "\(name): \(path)"
                )
            }
            let environment = try #require(service["environment"] as? [String: Any])
            let database = try #require(environment["IMPROVE_DATABASE"] as? String)
            #expect(database.hasPrefix("postgres://"), "\(name) shares the PostgreSQL database")
            #expect(
                ServerEnvironment.redacted(database) == database,
                "no password in the URL: it comes from PGPASSWORD"
            )
            #expect(environment["PGPASSWORD"] != nil)
            #expect(environment["IMPROVE_HOST"] as? String == "0.0.0.0", "reachable from the load balancer")
            for key in environment.keys where key.hasPrefix("IMPROVE_") {
                #expect(
                    ServerEnvironment.Variable(rawValue: key) != nil,
                    "\(name): \(key) is a variable the server reads"
                )
            }
        }

        for (name, value) in services {
            let service = try #require(value as? [String: Any])
            for dependency in (service["depends_on"] as? [String: Any])?.keys ?? [:].keys {
                #expect(services[dependency] != nil, "\(name) depends on \(dependency), which exists")
            }
            for volume in service["volumes"] as? [String] ?? [] where volume.hasPrefix("./") {
                let source = String(volume.split(separator: ":")[0])
                #expect(
                    FileManager.default.fileExists(atPath: OpsKit.server.appendingPathComponent(source).path),
                    "\(name): \(source)"
                )
            }
        }
    }

    // MARK: (d) the Containerfile's runtime stage has the binary's libraries

    @Test func containerRuntimeInstallsTheLinkedLibraries() throws {
        let containerfile = try String(
            contentsOf: OpsKit.server.appendingPathComponent("Containerfile"),
            encoding: .utf8
        )
        let stages = OpsKit.stages(containerfile)
        #expect(stages.count >= 2, "multi-stage: build, then runtime")
        let build = try #require(stages.first)
        let runtime = try #require(stages.last)
        #expect(build.from.hasPrefix("swift:6."), "built in the Swift 6 image")
        #expect(runtime.from.hasPrefix("debian:") && runtime.from.contains("slim"), "runs on slim Debian")
        #expect(build.text.contains("--static-swift-stdlib"), "the Swift runtime is linked in, not installed")
        #expect(runtime.text.contains("USER ") && !runtime.text.contains("USER root"), "runs as a non-root user")
        #expect(runtime.text.contains("HEALTHCHECK") && runtime.text.contains("/health"))
        let installed = OpsKit.aptInstalls(runtime.text)
        if runtime.text.contains("curl -") { #expect(installed.contains("curl"), "the health check's curl") }

        // The binary's own libraries that come from Debian, less what the slim image already has.
        let needed = try OpsKit.debianPackagesLinked(by: try OpsKit.binary())
        let missing = needed.subtracting(installed).subtracting(OpsKit.slimImagePackages)
        #expect(missing.isEmpty, "runtime stage lacks \(missing.sorted()) (installs \(installed.sorted()))")
        #expect(installed.contains("libsqlite3-0"))
    }

    // MARK: (e) the README's SQLite backup and restore

    @Test func sqliteOnlineBackupRestores() async throws {
        let readme = try String(contentsOf: OpsKit.server.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("\".backup "), "README documents sqlite3 .backup")
        #expect(readme.contains("VACUUM INTO"), "README documents VACUUM INTO")
        #expect(readme.contains("pg_dump -Fc") && readme.contains("pg_restore"), "README documents PostgreSQL backups")
        let sqlite3 = try #require(OpsKit.which("sqlite3"), "the sqlite3 shell (Debian package sqlite3)")
        let binary = try OpsKit.binary()
        let folder = try OpsKit.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("server.sqlite").path

        let admin = try OpsKit.token(
            try OpsKit.run(binary, ["user", "add", "admin", "--role", "admin", "--database", database])
        )
        _ = try OpsKit.token(
            try OpsKit.run(
                binary,
                ["user", "add", "nurse", "--role", "member", "--sites", "north", "--database", database]
            )
        )
        let server = try OpsKit.RunningServer(arguments: ["serve", "--database", database, "--port", "0"])
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let change = Changes.observation(site: "north", unit: "ward-7", millis: now - 60_000)
        let pushed = try await OpsKit.push([change], to: server.base, token: admin)
        #expect(pushed == 200)

        // Both documented forms of online backup, taken while the server runs.
        let backup = folder.appendingPathComponent("backup.sqlite").path
        let vacuumed = folder.appendingPathComponent("vacuumed.sqlite").path
        let dotBackup = try OpsKit.run(sqlite3, [database, ".backup \(backup)"])
        #expect(dotBackup.status == 0, "\(dotBackup.error)")
        let vacuum = try OpsKit.run(sqlite3, [database, "VACUUM INTO '\(vacuumed)'"])
        #expect(vacuum.status == 0, "\(vacuum.error)")
        _ = try OpsKit.token(
            try OpsKit.run(
                binary,
                ["user", "add", "late", "--role", "viewer", "--sites", "north", "--database", database]
            )
        )
        #expect(server.stop().status == 0)

        // Restore each copy at a new path and serve it.
        for copy in [backup, vacuumed] {
            let restoredFolder = try OpsKit.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: restoredFolder) }
            let restored = restoredFolder.appendingPathComponent("server.sqlite").path
            try FileManager.default.copyItem(atPath: copy, toPath: restored)
            #expect(
                try OpsKit.run(sqlite3, [restored, "PRAGMA integrity_check"]).output.trimmingCharacters(
                    in: .whitespacesAndNewlines
                ) == "ok"
            )

            let listed = try OpsKit.run(binary, ["user", "list", "--database", restored])
            #expect(listed.status == 0)
            #expect(
                listed.output.contains("admin\tadmin") && listed.output.contains("nurse\tmember\tnorth"),
                "\(listed.output)"
            )
            #expect(!listed.output.contains("late"), "the backup is the moment it was taken")

            let again = try OpsKit.RunningServer(arguments: ["serve", "--database", restored, "--port", "0"])
            #expect(try await OpsKit.status(again.base + "/health") == 200)
            let pulled = try await OpsKit.pull(from: again.base, token: admin)
            #expect(pulled.contains(change.id), "the pushed change is in the restored database")
            #expect(again.stop().status == 0)
        }
    }

    // MARK: (f) IMPROVE_* fallbacks

    @Test func settingsPreferFlagsThenEnvironmentThenDefaults() throws {
        let empty = ServerEnvironment([:])
        let defaults = try empty.serveSettings(
            database: "a.sqlite",
            host: nil,
            port: nil,
            maxBodyBytes: nil,
            maxBatch: nil,
            logLevel: nil
        )
        #expect(
            defaults
                == .init(
                    database: "a.sqlite",
                    host: "127.0.0.1",
                    port: 8080,
                    maxBodyBytes: 8_388_608,
                    maxBatch: 5000,
                    logLevel: .info
                )
        )

        let environment = ServerEnvironment([
            "IMPROVE_DATABASE": "env.sqlite", "IMPROVE_HOST": "0.0.0.0", "IMPROVE_PORT": " 9090 ",
            "IMPROVE_MAX_BODY_BYTES": "2048", "IMPROVE_MAX_BATCH": "10", "IMPROVE_LOG_LEVEL": "DEBUG",
        ])
        let fromEnvironment = try environment.serveSettings(
            database: nil,
            host: nil,
            port: nil,
            maxBodyBytes: nil,
            maxBatch: nil,
            logLevel: nil
        )
        #expect(
            fromEnvironment
                == .init(
                    database: "env.sqlite",
                    host: "0.0.0.0",
                    port: 9090,
                    maxBodyBytes: 2048,
                    maxBatch: 10,
                    logLevel: .debug
                )
        )
        let fromFlags = try environment.serveSettings(
            database: "flag.sqlite",
            host: "::1",
            port: 0,
            maxBodyBytes: 4096,
            maxBatch: 20,
            logLevel: "error"
        )
        #expect(
            fromFlags
                == .init(
                    database: "flag.sqlite",
                    host: "::1",
                    port: 0,
                    maxBodyBytes: 4096,
                    maxBatch: 20,
                    logLevel: .error
                )
        )

        // An empty variable (IMPROVE_PORT= in an env file) means the default.
        let blank = try ServerEnvironment(["IMPROVE_DATABASE": "d", "IMPROVE_PORT": "", "IMPROVE_LOG_LEVEL": " "])
            .serveSettings(database: nil, host: nil, port: nil, maxBodyBytes: nil, maxBatch: nil, logLevel: nil)
        #expect(blank.port == 8080 && blank.logLevel == .info)
    }

    @Test(arguments: [
        (["IMPROVE_PORT": "eighty"], "IMPROVE_PORT=eighty is not a whole number"),
        (["IMPROVE_PORT": "70000"], "IMPROVE_PORT=70000 is out of range: it must be between 0 and 65535"),
        (["IMPROVE_MAX_BODY_BYTES": "12"], "IMPROVE_MAX_BODY_BYTES=12 is out of range: it must be at least 1024"),
        (["IMPROVE_MAX_BATCH": "0"], "IMPROVE_MAX_BATCH=0 is out of range: it must be between 1 and 100000"),
        (["IMPROVE_LOG_LEVEL": "loud"], "IMPROVE_LOG_LEVEL=loud is not a level: use one of trace, debug, info"),
    ])
    func invalidEnvironmentNamesTheVariable(variables: [String: String], message: String) throws {
        let failure = #expect(throws: ServerEnvironment.Failure.self) {
            try ServerEnvironment(variables.merging(["IMPROVE_DATABASE": "d"]) { a, _ in a })
                .serveSettings(database: nil, host: nil, port: nil, maxBodyBytes: nil, maxBatch: nil, logLevel: nil)
        }
        #expect(failure?.description.contains(message) == true, "\(failure?.description ?? "")")
        // The binary says the same on stderr and exits non-zero.
        let result = try OpsKit.run(
            try OpsKit.binary(),
            ["serve"],
            environment: variables.merging(["IMPROVE_DATABASE": "unused.sqlite"]) { a, _ in a }
        )
        #expect(result.status != 0)
        #expect(result.error.contains(message), "\(result.error)")
    }

    @Test func redactsDatabasePasswords() {
        #expect(ServerEnvironment.redacted("/var/lib/improve/server.sqlite") == "/var/lib/improve/server.sqlite")
        #expect(
            ServerEnvironment.redacted("postgres://improve@db:5432/improve") == "postgres://improve@db:5432/improve"
        )
        #expect(
            ServerEnvironment.redacted("postgres://improve:s3cr%40t@db:5432/improve?sslmode=require")
                == "postgres://improve:***@db:5432/improve?sslmode=require"
        )
        #expect(ServerEnvironment.redacted("postgresql://u:p@ss@db/x") == "postgresql://u:***@db/x")
        #expect(
            ServerEnvironment.redacted("postgres://u@db/x?sslmode=disable&password=hunter2")
                == "postgres://u@db/x?sslmode=disable&password=***"
        )
    }

    @Test func binaryFallsBackToTheEnvironment() async throws {
        let binary = try OpsKit.binary()
        let folder = try OpsKit.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fromEnvironment = folder.appendingPathComponent("env.sqlite").path
        let fromFlag = folder.appendingPathComponent("flag.sqlite").path

        // user commands: IMPROVE_DATABASE when --database is absent, the flag when present.
        let added = try OpsKit.run(
            binary,
            ["user", "add", "env.admin", "--role", "admin"],
            environment: ["IMPROVE_DATABASE": fromEnvironment]
        )
        #expect(added.status == 0, "\(added.error)")
        let flagged = try OpsKit.run(
            binary,
            ["user", "add", "flag.admin", "--role", "admin", "--database", fromFlag],
            environment: ["IMPROVE_DATABASE": fromEnvironment]
        )
        #expect(flagged.status == 0, "\(flagged.error)")
        #expect(
            try OpsKit.run(binary, ["user", "list", "--database", fromEnvironment]).output == "env.admin\tadmin\t*\n"
        )
        #expect(
            try OpsKit.run(binary, ["user", "list"], environment: ["IMPROVE_DATABASE": fromFlag]).output
                == "flag.admin\tadmin\t*\n"
        )

        // serve: flags win, and a bad variable a flag overrides is never read.
        let server = try OpsKit.RunningServer(
            arguments: ["serve", "--database", fromFlag, "--port", "0", "--log-level", "warning"],
            environment: [
                "IMPROVE_DATABASE": folder.appendingPathComponent("missing/folder/x.sqlite").path,
                "IMPROVE_PORT": "not-a-port", "IMPROVE_LOG_LEVEL": "loud", "IMPROVE_HOST": "127.0.0.1",
            ]
        )
        #expect(try await OpsKit.status(server.base + "/health") == 200)
        let stopped = server.stop()
        #expect(stopped.status == 0)
        #expect(!stopped.log.contains("opening database"), "--log-level warning won over IMPROVE_LOG_LEVEL")

        let noDatabase = try OpsKit.run(binary, ["serve"])
        #expect(noDatabase.status != 0)
        #expect(noDatabase.error.contains("No database given: pass --database PATH or set IMPROVE_DATABASE."))
        let noDatabaseForUsers = try OpsKit.run(binary, ["user", "list"])
        #expect(noDatabaseForUsers.status != 0 && noDatabaseForUsers.error.contains("IMPROVE_DATABASE"))

        let help = try OpsKit.run(binary, ["serve", "--help"])
        for variable in ServerEnvironment.Variable.allCases {
            #expect(help.output.contains(variable.rawValue), "serve --help names \(variable.rawValue)")
        }
    }
}

/// What the operations kit tests share: the repository's `Server/` folder, the built binary,
/// processes with a controlled environment, and readers for the kit's file formats.
enum OpsKit {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let server = repository.appendingPathComponent("Server")
    static let systemdAnalyze = "/usr/bin/systemd-analyze"
    /// Libraries debian:bookworm-slim already has (essential packages and apt's own dependencies).
    static let slimImagePackages: Set<String> = ["libc6", "libgcc-s1", "libstdc++6", "zlib1g"]

    static func binary() throws -> String { try Binaries.path("improve-server") }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("improve-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func which(_ name: String) -> String? { Binaries.onPath(name) }

    /// The test's environment without any IMPROVE_* variable, plus `variables`.
    static func environment(_ variables: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("IMPROVE_") }.merging(variables) { _, new in new
        }
    }

    static func run(
        _ executable: String, _ arguments: [String], environment variables: [String: String] = [:]
    ) throws
        -> CommandResult
    {
        try Processes.run(executable, arguments, environment: environment(variables))
    }

    /// The token `user add` prints as the last word of its output.
    static func token(_ result: CommandResult) throws -> String {
        guard result.status == 0, let token = result.output.split(whereSeparator: \.isWhitespace).last else {
            throw Failure(description: "user add failed: \(result.error)")
        }
        return String(token)
    }

    /// An environment file's settings, refusing what systemd, compose and sh would read differently.
    static func environmentFile(_ text: String) throws -> [String: String] {
        var settings: [String: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw Failure(description: "line \(number + 1) is not VARIABLE=value: \(line)")
            }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...])
            guard key.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }),
                value.allSatisfy({ !$0.isWhitespace && !"\"'$`\\&;".contains($0) })
            else {
                throw Failure(
                    description:
                        "line \(number + 1) needs a plain VARIABLE=value (no quotes, spaces, $, & or ;): \(line)"
                )
            }
            settings[key] = value
        }
        return settings
    }

    /// A systemd unit's `Key=value` settings (repeated keys keep every value).
    static func unitKeys(_ text: String) -> [String: [String]] {
        var keys: [String: [String]] = [:]
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.hasPrefix("#"), !line.hasPrefix(";"), !line.hasPrefix("["),
                let equals = line.firstIndex(of: "=")
            else { continue }
            keys[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return keys
    }

    /// A YAML file as JSON objects, read by PyYAML (Debian's python3-yaml).
    static func yaml(_ file: URL) throws -> [String: Any] {
        let script = "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)"
        for python in ["/usr/bin/python3", which("python3")].compactMap({ $0 })
        where FileManager.default.isExecutableFile(atPath: python) {
            let result = try run(python, ["-c", script, file.path])
            if result.status == 0,
                let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            {
                return object
            }
            if !result.error.contains("No module named 'yaml'") {
                throw Failure(description: "\(file.lastPathComponent) is not valid YAML: \(result.error)")
            }
        }
        throw Failure(
            description: "PyYAML is missing: apt-get install python3-yaml (scripts/install-system-packages.sh does)"
        )
    }

    /// A Containerfile's stages: the image each starts FROM and its instructions, continuation lines joined.
    static func stages(_ text: String) -> [(from: String, text: String)] {
        var stages: [(from: String, text: String)] = []
        for line in text.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n") {
            let words = line.split(whereSeparator: \.isWhitespace)
            if words.first?.uppercased() == "FROM", words.count > 1 {
                stages.append((String(words[1]), ""))
            } else if !stages.isEmpty, !line.hasPrefix("#") {
                stages[stages.count - 1].text += line + "\n"
            }
        }
        return stages
    }

    /// Package names given to `apt-get install` in a stage.
    static func aptInstalls(_ text: String) -> Set<String> {
        var packages: Set<String> = []
        for command in text.components(separatedBy: "apt-get install").dropFirst() {
            for word in command.split(whereSeparator: \.isWhitespace) {
                if word == "&&" || word == ";" || word == "||" || word.hasSuffix(";") { break }
                if !word.hasPrefix("-") { packages.insert(String(word)) }
            }
        }
        return packages
    }

    /// The Debian packages whose libraries the binary loads. Libraries of the Swift toolchain are
    /// linked in by --static-swift-stdlib, so their own Debian dependencies count as the binary's.
    static func debianPackagesLinked(by binary: String) throws -> Set<String> {
        var paths: [String: String] = [:]
        for line in try run("/usr/bin/ldd", [binary]).output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count >= 3, parts[1] == "=>" {
                paths[parts[0].trimmingCharacters(in: .whitespaces)] = String(parts[2])
            }
        }
        var packages: Set<String> = []
        var seen: Set<String> = []
        var queue = try needed(binary)
        while let soname = queue.popLast() {
            guard seen.insert(soname).inserted else { continue }
            if soname.hasPrefix("ld-linux") { continue }
            guard let path = paths[soname] else { throw Failure(description: "ldd does not resolve \(soname)") }
            if let package = try debianPackage(owning: path) {
                packages.insert(package)
            } else {
                queue += try needed(path)
            }
        }
        return packages
    }

    /// The shared libraries an ELF file names as NEEDED.
    static func needed(_ file: String) throws -> [String] {
        try run("/usr/bin/readelf", ["-d", file]).output.split(separator: "\n").compactMap { line in
            guard line.contains("(NEEDED)"), let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]")
            else { return nil }
            return String(line[line.index(after: open)..<close])
        }
    }

    /// The package that installed a file, or nil when dpkg did not (the Swift toolchain's libraries).
    static func debianPackage(owning path: String) throws -> String? {
        let resolved = (path as NSString).resolvingSymlinksInPath
        // Debian 12 merges /lib into /usr/lib: dpkg knows a file by the path its package used.
        var candidates = [path, resolved]
        for candidate in [path, resolved] {
            candidates.append(candidate.hasPrefix("/usr/") ? String(candidate.dropFirst(4)) : "/usr" + candidate)
        }
        for candidate in candidates {
            let result = try run("/usr/bin/dpkg", ["-S", candidate])
            if result.status == 0,
                let owner = result.output.split(separator: "\n").first?.components(separatedBy: ": ").first
            {
                return owner.components(separatedBy: ", ").first?.components(separatedBy: ":").first
            }
        }
        return nil
    }

    static func status(_ url: String) async throws -> Int {
        let (_, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return (response as? HTTPURLResponse)?.statusCode ?? -1
    }

    static func push(_ changes: [Change], to base: String, token: String) async throws -> Int {
        var request = URLRequest(url: URL(string: base + "/v1/push")!)
        request.httpMethod = "POST"
        request.setValue("1", forHTTPHeaderField: "Improve-Protocol")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(Changes.body(changes).readableBytesView)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? -1
    }

    static func pull(from base: String, token: String) async throws -> String {
        var request = URLRequest(url: URL(string: base + "/v1/pull?after=0")!)
        request.setValue("1", forHTTPHeaderField: "Improve-Protocol")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (body, _) = try await URLSession.shared.data(for: request)
        return String(decoding: body, as: UTF8.self)
    }

    /// `improve-server serve` running until `stop()`; ended with SIGTERM if a test fails first.
    final class RunningServer {
        let process = Process()
        /// stderr goes to a file, so a long log never blocks the server on a full pipe.
        let log: URL
        let host: String
        let port: Int
        var base: String { "http://\(host):\(port)" }

        init(arguments: [String], environment variables: [String: String] = [:]) throws {
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: try OpsKit.binary())
            process.arguments = arguments
            process.environment = OpsKit.environment(variables)
            log = try OpsKit.temporaryFolder().appendingPathComponent("server.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardOutput = output
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            var printed = Data()
            while !printed.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }  // end of file: the server exited
                printed.append(chunk)
            }
            let line = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let prefix = "improve-server listening on "
            guard line.hasPrefix(prefix), let colon = line.lastIndex(of: ":"),
                let port = Int(line[line.index(after: colon)...])
            else {
                process.terminate()
                process.waitUntilExit()
                let logged = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw Failure(
                    description: "improve-server did not start (exit \(process.terminationStatus)): \(line) \(logged)"
                )
            }
            host = String(line[line.index(line.startIndex, offsetBy: prefix.count)..<colon])
            self.port = port
        }

        /// Sends SIGTERM and returns the exit status and everything logged.
        func stop() -> (status: Int32, log: String) {
            process.terminate()
            process.waitUntilExit()
            return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }

        deinit {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: log.deletingLastPathComponent())
        }
    }
}
