import Foundation
import ImprovementTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `improve` creates the store and its settings (with the token) readable by their owner only,
/// and tightens a store others could read, saying so once.
@Suite("Store and settings permissions")
struct StorePermissionsTests {
    @Test func theStoreAndItsSettingsAreCreatedOwnerOnly() throws {
        let folder = try TemporaryFolder()
        let device = Device("tablet", user: "nurse.patel", in: folder)
        try device.ok(["init", "--site", "north", "--server", "http://127.0.0.1:9", "--token", "imp_secret"])
        try device.ok(["site", "add", "north", "--name", "North"])
        #expect(try Self.mode(device.store) == 0o600)
        #expect(try Self.mode(device.store + ".config.json") == 0o600)
        for file in [device.store + "-wal", device.store + "-shm"] where FileManager.default.fileExists(atPath: file) {
            #expect(try Self.mode(file) == 0o600, "\(file)")
        }
    }

    @Test func aStoreOthersCanReadIsTightenedWithANote() throws {
        let folder = try TemporaryFolder()
        let device = Device("tablet", user: "nurse.patel", in: folder)
        try device.ok(["init", "--site", "north", "--token", "imp_secret"])
        try device.ok(["site", "add", "north", "--name", "North"])
        #expect(chmod(device.store, 0o644) == 0)
        #expect(chmod(device.store + ".config.json", 0o640) == 0)

        let first = try device.ok(["site", "list"])
        #expect(
            first.error.contains(
                "The store \(device.store) was readable by other users; it is now readable by you only."))
        #expect(first.error.contains("readable by you only") && first.error.contains("config.json"))
        #expect(first.output.contains("north"), "the command still does its work")
        #expect(try Self.mode(device.store) == 0o600)
        #expect(try Self.mode(device.store + ".config.json") == 0o600)

        let second = try device.ok(["site", "list"])
        #expect(!second.error.contains("readable"), "said once: \(second.error)")
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
