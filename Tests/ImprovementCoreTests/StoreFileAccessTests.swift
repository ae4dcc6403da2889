import Foundation
import ImprovementCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A store holds patient stories: its files are readable by their owner only, from the moment
/// they exist, and a store others could read is tightened when it is opened.
@Suite("Store file permissions")
struct StoreFileAccessTests {
    @Test func aNewStoreAndItsWriteAheadFilesAreReadableByTheOwnerOnly() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/device.sqlite"
        let store = try ImprovementStore(path: path)
        #expect(!store.permissionsTightened, "a new store had nothing to tighten")
        try store.write(author: "nurse") { try $0.save(Site(id: "north", name: "North")) }
        // While the store is open SQLite keeps its write-ahead log and shared-memory index.
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(try Self.mode(file) == 0o600, "\(file)")
        }
    }

    @Test func anExistingStoreOthersCanReadIsTightenedOnOpen() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/device.sqlite"
        do {
            let store = try ImprovementStore(path: path)
            try store.write(author: "nurse") { try $0.save(Site(id: "north", name: "North")) }
        }
        #expect(chmod(path, 0o644) == 0)
        let reopened = try ImprovementStore(path: path)
        #expect(reopened.permissionsTightened)
        #expect(try Self.mode(path) == 0o600)
        #expect(try reopened.records(Site.self).map(\.id) == ["north"], "the data is untouched")
        #expect(try ImprovementStore(path: path).permissionsTightened == false, "once is enough")
    }

    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-mode-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
