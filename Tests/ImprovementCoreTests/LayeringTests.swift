import Foundation
import ImprovementTestSupport
import Testing

/// The package's targets form layers with arrows only downward, and the core a client embeds
/// links no networking stack (README "Architecture"). Read from the manifest itself, so a
/// dependency added in Package.swift against the layering fails here.
@Suite("Layering")
struct LayeringTests {
    /// Lower numbers sit lower; a target may depend only on targets below it.
    static let layers: [String: Int] = [
        "CSQLiteTuning": 0,
        "ImprovementModel": 0,
        "ImprovementAnalysis": 1,
        "ImprovementCore": 2,
        "ImprovementHTTPTransport": 3,
        "ImprovementServer": 4,
        "ImprovementCLI": 4,
        "ImprovementTestSupport": 4,
        "improve": 5,
        "improve-server": 5,
        "improve-bench": 5,
        "store-crash-probe": 5,
        "ImprovementCoreTests": 6,
        "ImprovementServerTests": 6,
        "ImprovementCLITests": 6,
    ]

    /// Products outside the package each embeddable layer may link.
    static let allowedProducts: [String: Set<String>] = [
        "ImprovementModel": [],
        "ImprovementAnalysis": [],
        "ImprovementCore": ["GRDB", "GRDBSQLite"],
    ]

    struct Target {
        var targets: [String]
        var products: [String]
    }

    static func manifest() throws -> [String: Target] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        guard let swift = Binaries.onPath("swift") else { throw TestFailure("swift is not on PATH") }
        let scratch = try TemporaryFolder(prefix: "improve-describe")
        // A scratch path of its own: the test run holds the package's `.build`.
        let result = try Processes.run(
            swift,
            ["package", "--package-path", root.path, "--scratch-path", scratch.path, "describe", "--type", "json"])
        guard result.status == 0 else { throw TestFailure("swift package describe failed: \(result.error)") }
        guard let document = try result.json() as? [String: Any], let targets = document["targets"] as? [[String: Any]]
        else { throw TestFailure("swift package describe printed no targets") }
        var manifest: [String: Target] = [:]
        for target in targets {
            guard let name = target["name"] as? String else { continue }
            manifest[name] = Target(
                targets: target["target_dependencies"] as? [String] ?? [],
                products: target["product_dependencies"] as? [String] ?? [])
        }
        return manifest
    }

    @Test func everyArrowPointsDownward() throws {
        let manifest = try Self.manifest()
        #expect(Set(manifest.keys) == Set(Self.layers.keys), "every target has a layer in this test")
        for (name, target) in manifest {
            let layer = try #require(Self.layers[name], "\(name) has no layer")
            for dependency in target.targets {
                let below = try #require(Self.layers[dependency], "\(dependency) has no layer")
                #expect(below < layer, "\(name) (layer \(layer)) depends on \(dependency) (layer \(below))")
            }
        }
    }

    @Test func theEmbeddableCoreLinksNoNetworkingStack() throws {
        let manifest = try Self.manifest()
        for (name, allowed) in Self.allowedProducts {
            var closure: Set<String> = []
            var products: Set<String> = []
            var next = [name]
            while let target = next.popLast() {
                guard closure.insert(target).inserted, let entry = manifest[target] else { continue }
                products.formUnion(entry.products)
                next += entry.targets
            }
            #expect(products.isSubset(of: allowed), "\(name) links \(products.subtracting(allowed).sorted())")
            let forbidden = products.filter {
                $0.hasPrefix("NIO") || $0.contains("HTTPClient") || $0.hasPrefix("Hummingbird")
            }
            #expect(forbidden.isEmpty, "\(name) reaches \(forbidden.sorted())")
            #expect(!closure.contains("ImprovementHTTPTransport") && !closure.contains("ImprovementServer"))
        }
    }
}
