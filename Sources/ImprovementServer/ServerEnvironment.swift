import Foundation
import Logging

/// The `IMPROVE_*` environment variables `improve-server` falls back to when a flag is not given,
/// so a systemd `EnvironmentFile=` or a compose `env_file` can configure it without a command line.
///
/// A flag always wins; an empty variable counts as unset. Values are checked here, and every
/// error names the flag or variable it came from so an operator knows what to fix.
package struct ServerEnvironment: Sendable {
    /// Every variable the server reads, with the flag it stands in for.
    package enum Variable: String, CaseIterable, Sendable {
        case database = "IMPROVE_DATABASE"
        case host = "IMPROVE_HOST"
        case port = "IMPROVE_PORT"
        case maxBodyBytes = "IMPROVE_MAX_BODY_BYTES"
        case maxBatch = "IMPROVE_MAX_BATCH"
        case logLevel = "IMPROVE_LOG_LEVEL"
        case minFreeBytes = "IMPROVE_MIN_FREE_BYTES"

        package var flag: String {
            switch self {
            case .database: "--database"
            case .host: "--host"
            case .port: "--port"
            case .maxBodyBytes: "--max-body-bytes"
            case .maxBatch: "--max-batch"
            case .logLevel: "--log-level"
            case .minFreeBytes: "--min-free-bytes"
            }
        }
    }

    /// A value that cannot be used, or a setting that is missing.
    package struct Failure: Error, Equatable, CustomStringConvertible {
        package let description: String
    }

    /// `serve`'s settings once flags, environment and defaults are combined.
    package struct ServeSettings: Equatable, Sendable {
        package var database: String
        package var host: String
        package var port: Int
        package var maxBodyBytes: Int
        package var maxBatch: Int
        package var logLevel: Logger.Level
        /// Free disk space below which `/health/ready` answers 503.
        package var minFreeBytes: Int64

        package init(
            database: String,
            host: String,
            port: Int,
            maxBodyBytes: Int,
            maxBatch: Int,
            logLevel: Logger.Level,
            minFreeBytes: Int64 = ServerEnvironment.defaultMinFreeBytes
        ) {
            self.minFreeBytes = minFreeBytes
            self.database = database
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.maxBatch = maxBatch
            self.logLevel = logLevel
        }

        package var configuration: ServerConfiguration {
            ServerConfiguration(
                host: host, port: port, maxBodyBytes: maxBodyBytes, maxBatchSize: maxBatch, minFreeBytes: minFreeBytes)
        }
    }

    package static let defaultHost = "127.0.0.1"
    package static let defaultPort = 8080
    package static let defaultMaxBodyBytes = 8 * 1024 * 1024
    package static let defaultMaxBatch = 5000
    package static let defaultLogLevel = Logger.Level.info
    /// 256 MiB: room for many full pushes and SQLite's checkpoints before the disk is full.
    package static let defaultMinFreeBytes: Int64 = 256 * 1024 * 1024

    private let values: [String: String]

    package init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The variable's value with surrounding blanks removed, or nil when unset or empty.
    package subscript(variable: Variable) -> String? {
        guard let raw = values[variable.rawValue]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty
        else { return nil }
        return raw
    }

    /// The database location from `--database`, else `IMPROVE_DATABASE`.
    package func database(flag: String?) throws(Failure) -> String {
        if let flag {
            guard !flag.isEmpty else { throw Failure(description: "--database needs a file path or a postgres:// URL") }
            return try Self.checkedDatabase(flag, source: "--database")
        }
        guard let value = self[.database] else {
            throw Failure(description: "No database given: pass --database PATH or set IMPROVE_DATABASE.")
        }
        return try Self.checkedDatabase(value, source: "IMPROVE_DATABASE")
    }

    /// A postgres:// URL must be complete; anything else is a SQLite path.
    private static func checkedDatabase(_ location: String, source: String) throws(Failure) -> String {
        guard PostgresLocation.isPostgresURL(location) else { return location }
        do {
            _ = try PostgresLocation(url: location)
        } catch {
            throw Failure(description: "\(source): \(error.description)")
        }
        return location
    }

    /// Combines `serve`'s flags (nil when not given) with the environment and the defaults.
    package func serveSettings(
        database: String?,
        host: String?,
        port: Int?,
        maxBodyBytes: Int?,
        maxBatch: Int?,
        logLevel: String?,
        minFreeBytes: Int? = nil
    ) throws(Failure) -> ServeSettings {
        let host = host ?? self[.host] ?? Self.defaultHost
        guard !host.isEmpty else { throw Failure(description: "--host needs an address, e.g. 127.0.0.1") }
        return ServeSettings(
            database: try self.database(flag: database),
            host: host,
            port: try integer(port, .port, in: 0...65_535, default: Self.defaultPort),
            maxBodyBytes: try integer(
                maxBodyBytes,
                .maxBodyBytes,
                in: 1024...Int.max,
                default: Self.defaultMaxBodyBytes
            ),
            maxBatch: try integer(maxBatch, .maxBatch, in: 1...100_000, default: Self.defaultMaxBatch),
            logLevel: try level(logLevel),
            minFreeBytes: Int64(
                try integer(minFreeBytes, .minFreeBytes, in: 0...Int.max, default: Int(Self.defaultMinFreeBytes)))
        )
    }

    private func integer(
        _ flag: Int?, _ variable: Variable, in range: ClosedRange<Int>, default: Int
    ) throws(Failure)
        -> Int
    {
        let bounds =
            range.upperBound == Int.max
            ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
        if let flag {
            guard range.contains(flag) else { throw Failure(description: "\(variable.flag) must be \(bounds)") }
            return flag
        }
        guard let text = self[variable] else { return `default` }
        guard let value = Int(text) else {
            throw Failure(
                description: "\(variable.rawValue)=\(text) is not a whole number: set it to one \(bounds), or unset it."
            )
        }
        guard range.contains(value) else {
            throw Failure(description: "\(variable.rawValue)=\(text) is out of range: it must be \(bounds).")
        }
        return value
    }

    private func level(_ flag: String?) throws(Failure) -> Logger.Level {
        let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
        if let flag {
            guard let level = Logger.Level(rawValue: flag.lowercased()) else {
                throw Failure(description: "--log-level \(flag) is not a level: use one of \(levels)")
            }
            return level
        }
        guard let text = self[.logLevel] else { return Self.defaultLogLevel }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw Failure(description: "IMPROVE_LOG_LEVEL=\(text) is not a level: use one of \(levels), or unset it.")
        }
        return level
    }

    /// The database location fit for a log line: a URL's password (in the user part or a
    /// `password=` parameter) becomes `***`; file paths are returned unchanged.
    package static func redacted(_ location: String) -> String {
        guard let scheme = location.range(of: "://") else { return location }
        var text = location
        let authorityStart = scheme.upperBound
        let authorityEnd = text[authorityStart...].firstIndex { "/?#".contains($0) } ?? text.endIndex
        if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@"),
            let colon = text[authorityStart..<at].firstIndex(of: ":")
        {
            text.replaceSubrange(text.index(after: colon)..<at, with: "***")
        }
        guard let query = text.firstIndex(of: "?") else { return text }
        let parameters = text[text.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false)
            .map { parameter in
                parameter.lowercased().hasPrefix("password=") ? "password=***" : String(parameter)
            }
        return String(text[...query]) + parameters.joined(separator: "&")
    }
}
