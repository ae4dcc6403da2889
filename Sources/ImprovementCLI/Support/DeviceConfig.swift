import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// This device's settings: the sync server, its token, the default site and user, and when the
/// last sync succeeded.
///
/// Kept in a small JSON file next to the store (`store.sqlite.config.json`) rather than in the
/// store itself: the token is a secret, and a separate file can be readable by its owner only
/// (mode 0600) while the database is copied, backed up or inspected freely. It is rewritten
/// atomically (a private temporary file renamed over the old one), so a crash never leaves
/// half a file and the token is never readable by others, not even for a moment.
struct DeviceConfig: Codable, Equatable {
    /// The site this device records for: the default of every `--site` option.
    var site: String?
    /// The sync server's base URL, e.g. https://improve.example.org.
    var server: String?
    /// The bearer token of this device's account on the server.
    var token: String?
    /// The user changes are recorded as when neither `--as` nor `$IMPROVE_USER` is given.
    var user: String?
    /// When the last sync completed (ISO 8601, UTC).
    var lastSync: String?
    /// The token's account on the server, its role and its sites, as `improve init` and
    /// `improve sync` learn them (`GET /v1/account`); nil until known.
    var account: String?
    var role: String?
    var sites: [String]?

    /// The configuration file that belongs to the store at `storePath`.
    static func path(forStore storePath: String) -> String { storePath + ".config.json" }

    /// Reads the file; a missing file is an empty configuration.
    static func load(from path: String) throws -> DeviceConfig {
        guard FileManager.default.fileExists(atPath: path) else { return DeviceConfig() }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(DeviceConfig.self, from: data)
        } catch {
            throw CLIError(
                "The device settings in \(path) cannot be read (\(error.localizedDescription)). "
                    + "Run improve init again to rewrite them.", exitCode: ExitStatus.notConfigured)
        }
    }

    /// Takes group and other access away from an existing settings file (it holds the token);
    /// true when it had some. A file this user cannot change is left as it is.
    static func tightenPermissions(of path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return false }
        return chmod(path, status.st_mode & 0o700) == 0
    }

    /// Writes the file atomically with mode 0600.
    func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self) + Data("\n".utf8)
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw Self.failure(path, errno) }
        var ok = data.withUnsafeBytes { buffer in
            Foundation.write(descriptor, buffer.baseAddress, buffer.count) == buffer.count
        }
        ok = ok && fchmod(descriptor, 0o600) == 0 && fsync(descriptor) == 0
        let writeError = errno
        close(descriptor)
        guard ok, rename(temporary, path) == 0 else {
            let error = ok ? errno : writeError
            unlink(temporary)
            throw Self.failure(path, error)
        }
    }

    private static func failure(_ path: String, _ code: Int32) -> CLIError {
        CLIError(
            "Could not save the device settings to \(path) (\(String(cString: strerror(code)))). "
                + "Check that the folder exists and is writable, then try again.")
    }
}
