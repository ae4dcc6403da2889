import Foundation

/// A folder for one test's stores and files, removed when the test ends.
public final class TemporaryFolder: Sendable {
    public let url: URL

    public init(prefix: String = "improve-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public var path: String { url.path }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
