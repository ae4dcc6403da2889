import Foundation
import ImprovementCore
import ImprovementTestSupport
import Testing

/// A real process applying a real batch to a real file is killed with SIGKILL part-way through:
/// the file must then hold the store as it was before the batch or as it is after, never between.
@Suite("Crash safety")
struct CrashTests {
    static let batchSize = 60_000

    @Test func aKilledBatchApplyLeavesTheStoreBeforeOrAfterNeverBetween() throws {
        let probe = try Self.probePath()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("improve-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var outcomes: [String] = []
        var random = SeededRandom(seed: UInt64(Date().timeIntervalSince1970))
        for attempt in 0..<4 {
            let path = folder.appendingPathComponent("store-\(attempt).sqlite").path
            let before: Int64
            do {
                let store = try ImprovementStore(path: path)
                try store.addFallsProgramme()
                before = try store.lastSequence()
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: probe)
            process.arguments = [path, String(Self.batchSize)]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            // Wait until the probe says it is applying, then let it get some way in.
            let announcement = output.fileHandleForReading.availableData
            #expect(String(decoding: announcement, as: UTF8.self).hasPrefix("applying"))
            usleep(UInt32.random(in: 50_000...400_000, using: &random))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let store = try ImprovementStore(path: path)
            let after = try store.lastSequence()
            let records = try store.observations(ObservationQuery(measure: "remote"))
            if after == before {
                #expect(records.isEmpty, "no change logged, so no record may exist")
                outcomes.append("before")
            } else {
                #expect(after == before + Int64(Self.batchSize), "the batch is all or nothing")
                #expect(try store.allChanges().count == Int(after))
                outcomes.append("after")
            }
            // The store still works: the interrupted batch can simply be applied again.
            try store.write(author: "nurse") { try $0.save(Site(id: "east", name: "East")) }
        }
        #expect(outcomes.contains("before"), "at least one kill must land mid-batch (outcomes: \(outcomes))")
    }

    static func probePath() throws -> String { try Binaries.path("store-crash-probe") }
}
