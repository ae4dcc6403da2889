import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImprovementCore
import Logging
import Synchronization

@testable import ImprovementServer

/// A server on a fresh in-memory database with one account of each kind and a fixed clock.
struct ServerHarness: Sendable {
    /// 2026-06-01T12:00:00Z.
    static let now: Int64 = 1_780_315_200_000

    let storage: any SyncStorage
    let tokens: [String: String]
    var configuration: ServerConfiguration

    static let accounts: [(String, Role, [String])] = [
        ("admin", .admin, []), ("coordinator", .coordinator, ["north"]), ("member-north", .member, ["north"]),
        ("member-south", .member, ["south"]), ("viewer", .viewer, ["north"]),
    ]

    init(
        backend: StorageBackend = .sqlite, path: String? = nil, maxBodyBytes: Int = 8 * 1024 * 1024,
        maxBatchSize: Int = 5000
    ) async throws {
        let clock = PhysicalClock { ServerHarness.now }
        switch backend {
        case .sqlite:
            storage = try SQLiteSyncStorage(path: path, clock: clock)
        case .postgres:
            // The database is left to the throwaway test cluster; the pool closes with the storage.
            storage = try await PostgresSyncStorage.connect(
                try await TestPostgres.createDatabase(), logger: TestPostgres.logger)
        }
        var tokens: [String: String] = [:]
        for (name, role, sites) in Self.accounts {
            tokens[name] = try await AccountAdministration.add(name: name, role: role, sites: sites, storage: storage)
        }
        self.tokens = tokens
        configuration = ServerConfiguration(
            port: 0, maxBodyBytes: maxBodyBytes, maxBatchSize: maxBatchSize, clock: clock)
    }

    func application() -> some ApplicationProtocol {
        var logger = Logger(label: "test-server")
        logger.logLevel = .warning
        return buildApplication(configuration: configuration, storage: storage, logger: logger)
    }

    func headers(_ account: String?, protocolVersion: String? = "1") -> HTTPFields {
        var fields = HTTPFields()
        if let protocolVersion { fields[HTTPField.Name("Improve-Protocol")!] = protocolVersion }
        if let account, let token = tokens[account] { fields[.authorization] = "Bearer \(token)" }
        return fields
    }
}

/// Builds changes as a device would send them.
enum Changes {
    static let counter = Mutex(0)

    static func make(
        type: String, entity: String, site: String?, fields: FieldMap, replica: String = "ward-a",
        millis: Int64 = ServerHarness.now - 60_000, base: [String: HLC?] = [:], author: String = "amy"
    ) -> Change {
        let count = counter.withLock { value in
            value += 1
            return value
        }
        return Change(
            id: "change-\(count)-\(UUID().uuidString.prefix(8).lowercased())", replica: replica, type: type,
            entity: entity, site: site, hlc: HLC(millis: millis, counter: count % HLC.maxCounter, replica: replica),
            author: author, fields: fields, base: base)
    }

    static func observation(
        site: String, unit: String, week: String = "2026-05-25", numerator: Double = 2,
        replica: String = "ward-a", millis: Int64 = ServerHarness.now - 60_000, author: String = "amy"
    ) -> Change {
        make(
            type: "observation", entity: "falls-rate/\(unit)/\(week)", site: site,
            fields: [
                "measure": .text("falls-rate"), "unit": .text(unit), "site": .text(site), "period": .text(week),
                "numerator": .number(numerator), "denominator": .number(300),
            ], replica: replica, millis: millis, author: author)
    }

    static func body(_ changes: [Change], replica: String = "ward-a") -> ByteBuffer {
        var out = "{\"replica\":\"\(replica)\",\"changes\":["
        for (index, change) in changes.enumerated() {
            if index > 0 { out += "," }
            ChangeWire.append(change, to: &out)
        }
        return ByteBuffer(string: out + "]}")
    }
}

extension TestResponse {
    /// The body parsed as JSON (an object), or an empty object.
    var json: [String: JSONValue] {
        guard case .object(let object)? = try? JSONParser.parse(body.readableBytesView) else { return [:] }
        return object
    }

    var code: String? {
        if case .string(let code)? = json["code"] { return code }
        return nil
    }

    var message: String {
        if case .string(let message)? = json["message"] { return message }
        return ""
    }

    func number(_ key: String) -> Double? {
        if case .number(let value)? = json[key] { return value }
        return nil
    }

    /// Ids of the changes in a pull response.
    var changeIDs: [String] {
        guard case .array(let changes)? = json["changes"] else { return [] }
        return changes.compactMap { change in
            if case .object(let object) = change, case .string(let id)? = object["id"] { return id }
            return nil
        }
    }
}
