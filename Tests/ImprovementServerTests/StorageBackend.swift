import Foundation
import ImprovementCore
import Logging
import Testing

@testable import ImprovementServer

/// The storage engines every conformance test runs against.
///
/// PostgreSQL tests need a server: `scripts/test.sh` (and so CI) starts a throwaway cluster and
/// exports IMPROVE_TEST_POSTGRES_URL; each test gets a database of its own, dropped afterwards.
enum StorageBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    var description: String { rawValue }

    /// A fresh, empty storage and what closes it.
    func open() async throws -> OpenedStorage {
        switch self {
        case .sqlite:
            return OpenedStorage(storage: try SQLiteSyncStorage(path: nil), close: {})
        case .postgres:
            let database = try await TestPostgres.createDatabase()
            let storage = try await PostgresSyncStorage.connect(database, logger: TestPostgres.logger)
            return OpenedStorage(storage: storage) {
                storage.shutdown()
                await TestPostgres.dropDatabase(database)
            }
        }
    }
}

struct OpenedStorage: Sendable {
    let storage: any SyncStorage
    let close: @Sendable () async -> Void
}

/// The PostgreSQL server the tests use.
enum TestPostgres {
    static let logger: Logger = {
        var logger = Logger(label: "test-postgres")
        logger.logLevel = .warning
        return logger
    }()

    /// The server's URL, or a failure that says how to get one.
    static func location() throws -> PostgresLocation {
        guard let url = ProcessInfo.processInfo.environment["IMPROVE_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw TestSetupError(
                "IMPROVE_TEST_POSTGRES_URL is not set: run the tests with `bash scripts/test.sh`, which starts a "
                    + "throwaway PostgreSQL cluster (or `bash scripts/with-test-postgres.sh swift test`).")
        }
        return try PostgresLocation(url: url)
    }

    /// A new empty database on the test server.
    static func createDatabase() async throws -> PostgresLocation {
        try await PostgresDatabases.create(prefix: "improve_test_", on: try location(), logger: logger)
    }

    static func dropDatabase(_ location: PostgresLocation) async {
        try? await PostgresDatabases.drop(location, logger: logger)
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
