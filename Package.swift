// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Improve",
    // Mutex (Synchronization) needs macOS 15 / iOS 18.
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "ImprovementCore", targets: ["ImprovementCore"]),
        .library(name: "ImprovementHTTPTransport", targets: ["ImprovementHTTPTransport"]),
        .executable(name: "improve-bench", targets: ["improve-bench"]),
        .executable(name: "improve-server", targets: ["improve-server"]),
        .executable(name: "improve", targets: ["improve"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // `swift package generate-documentation` (scripts/check-docs.sh); a plugin, linked into no target.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The layers, arrows only downward (README "Architecture"; LayeringTests checks them):
        // model/wire ← analysis ← store and sync client ← HTTP transport ← server / CLI.
        .target(
            name: "ImprovementModel",
            swiftSettings: strictSettings
        ),
        .target(
            name: "ImprovementAnalysis",
            dependencies: ["ImprovementModel"],
            swiftSettings: strictSettings
        ),
        // The server's process-wide SQLite settings: sqlite3_config is variadic, which Swift cannot call.
        .target(
            name: "CSQLiteTuning",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .target(
            name: "ImprovementCore",
            dependencies: [
                "ImprovementModel",
                "ImprovementAnalysis",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ImprovementHTTPTransport",
            dependencies: [
                "ImprovementCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ImprovementServer",
            dependencies: [
                "ImprovementCore",
                "CSQLiteTuning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "improve-server",
            dependencies: ["ImprovementServer"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ImprovementCLI",
            dependencies: [
                "ImprovementCore",
                "ImprovementHTTPTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "improve",
            dependencies: ["ImprovementCLI"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "improve-bench",
            dependencies: [
                "ImprovementCore",
                "ImprovementHTTPTransport",
                "ImprovementServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // A tiny program the crash test runs and kills with SIGKILL in the middle of a batch apply.
        .executableTarget(
            name: "store-crash-probe",
            dependencies: ["ImprovementCore"],
            path: "Tests/StoreCrashProbe",
            swiftSettings: strictSettings
        ),
        // What the test targets share: binaries, processes, temporary folders.
        .target(
            name: "ImprovementTestSupport",
            path: "Tests/ImprovementTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ImprovementCoreTests",
            dependencies: [
                "ImprovementCore", "ImprovementHTTPTransport", "ImprovementTestSupport", "store-crash-probe",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ImprovementServerTests",
            dependencies: [
                "ImprovementServer",
                "ImprovementCore",
                "ImprovementHTTPTransport",
                "ImprovementTestSupport",
                "improve-server",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ImprovementCLITests",
            dependencies: [
                "ImprovementCLI", "ImprovementCore", "ImprovementHTTPTransport", "ImprovementTestSupport", "improve",
                "improve-server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
