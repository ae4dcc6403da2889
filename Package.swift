// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Improve",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ImprovementCore", targets: ["ImprovementCore"]),
        .executable(name: "improve-bench", targets: ["improve-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "ImprovementCore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "improve-bench",
            dependencies: [
                "ImprovementCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "improve-demo",
            dependencies: ["ImprovementCore"],
            swiftSettings: strictSettings
        ),
        // A tiny program the crash test runs and kills with SIGKILL in the middle of a batch apply.
        .executableTarget(
            name: "store-crash-probe",
            dependencies: ["ImprovementCore"],
            path: "Tests/StoreCrashProbe",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ImprovementCoreTests",
            dependencies: ["ImprovementCore", "store-crash-probe"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
