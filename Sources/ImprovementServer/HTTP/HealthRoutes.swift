import Foundation
import Hummingbird
import ImprovementCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `/health` (liveness: the process answers) and `/health/ready` (readiness: the database takes a
/// write and its disk has room), so a load balancer sends pushes only where they can succeed and
/// a supervisor restarts only what is really stuck. Both state the release and protocol versions.
struct HealthRoutes: Sendable {
    let storage: any SyncStorage
    let configuration: ServerConfiguration

    func register(on router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in json("{" + versionMembers() + ",\"status\":\"ok\"}") }
        router.get("/health/ready") { _, _ in try await ready() }
    }

    /// `protocolVersions`, `protocols` (its older name), `serverTime` and `version`, as JSON members.
    func versionMembers() -> String {
        let versions = "[" + ImproveVersion.protocolVersions.map(String.init).joined(separator: ",") + "]"
        let now = JSONText.string(JSONText.timestamp(millis: configuration.clock.nowMillis()))
        return "\"protocolVersions\":\(versions),\"protocols\":\(versions),\"serverTime\":\(now),"
            + "\"version\":\(JSONText.string(ImproveVersion.current))"
    }

    func ready() async throws -> Response {
        do {
            try await storage.heartbeat()
        } catch {
            throw notReady(
                "the database did not accept a test write (\(Self.describe(error))). Pushes fail until it does: "
                    + "check the database and the free disk space.")
        }
        var free = ""
        if let folder = storage.localFolder {
            guard let available = Self.availableBytes(folder) else {
                throw notReady("the free space of \(folder) cannot be read.")
            }
            if available < configuration.minFreeBytes {
                throw notReady(
                    "only \(Self.megabytes(available)) are free on the disk of \(folder), below the threshold of "
                        + "\(Self.megabytes(configuration.minFreeBytes)) (--min-free-bytes). Free some space, or "
                        + "move the database to a larger disk.")
            }
            free = "\"freeBytes\":\(available),\"minFreeBytes\":\(configuration.minFreeBytes),"
        }
        return json("{" + free + versionMembers() + ",\"status\":\"ready\"}")
    }

    func notReady(_ reason: String) -> APIError {
        let versions = "[" + ImproveVersion.protocolVersions.map(String.init).joined(separator: ",") + "]"
        return APIError(
            status: .serviceUnavailable, code: "not_ready", message: "Not ready: " + reason,
            extra: [("protocolVersions", versions), ("version", JSONText.string(ImproveVersion.current))])
    }

    /// Bytes an unprivileged process may still write on the file system holding `folder`.
    static func availableBytes(_ folder: String) -> Int64? {
        var status = statvfs()
        guard statvfs(folder, &status) == 0 else { return nil }
        return Int64(status.f_bavail) * Int64(status.f_frsize)
    }

    static func megabytes(_ bytes: Int64) -> String {
        "\(bytes / 1_048_576) MiB"
    }

    static func describe(_ error: any Error) -> String {
        String(describing: error)
    }
}
