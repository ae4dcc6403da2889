import ArgumentParser
import Foundation
import GRDBSQLite
import ImprovementCore

/// `improve-bench store`: record observations through the store, then insert the very same rows
/// (observation rows and change-log rows) with raw prepared SQLite statements.
struct StoreBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Records observations through the store and compares with raw SQLite inserts of the same rows.")

    @Option(help: "How many observations to record.")
    var count: Int = 100_000

    @Option(help: "Folder for the two database files (default: a new temporary folder, removed afterwards).")
    var directory: String?

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        guard count > 0, count <= 10_000_000 else { throw ValidationError("--count must be between 1 and 10,000,000") }
    }

    func run() throws {
        let folder = directory ?? NSTemporaryDirectory() + "improve-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: folder) } }

        let storePath = folder + "/store.sqlite"
        let rawPath = folder + "/raw.sqlite"
        for path in [storePath, rawPath] { Self.remove(path) }

        // A programme shaped like a real one: measures × units × weekly periods.
        let units = 20
        let weeks = 104
        let measures = max(1, (count + units * weeks - 1) / (units * weeks))
        let today = Day(year: 2026, month: 11, day: 27)!
        let clock = PhysicalClock { 1_796_000_000_000 }  // 2026-11-29: fixed so runs compare
        let store = try ImprovementStore(path: storePath, options: StoreOptions(clock: clock, utcOffsetSeconds: 0))
        try store.write(author: "bench") { writer in
            try writer.save(Site(id: "site-a", name: "Site A"))
            for unit in 0..<units { try writer.save(Unit(id: "unit-\(unit)", site: "site-a", name: "Unit \(unit)")) }
            try writer.save(Programme(id: "falls", name: "Falls", aim: "Reduce falls by 30% by 2027"))
            for measure in 0..<measures {
                try writer.save(
                    Measure(
                        id: "m\(measure)", programme: "falls", name: "Measure \(measure)", type: .process, chart: .p,
                        frequency: .week, direction: .up))
            }
        }
        var entries: [ObservationEntry] = []
        entries.reserveCapacity(count)
        let firstWeek = today.startOfWeek.adding(days: -7 * (weeks - 1))
        outer: for measure in 0..<measures {
            for unit in 0..<units {
                for week in 0..<weeks {
                    if entries.count == count { break outer }
                    let denominator = Double(20 + (measure + unit + week) % 30)
                    entries.append(
                        ObservationEntry(
                            measure: "m\(measure)", unit: "unit-\(unit)", period: firstWeek.adding(days: 7 * week),
                            numerator: Double((measure * 7 + unit * 3 + week) % Int(denominator)),
                            denominator: denominator))
                }
            }
        }
        let sequenceBefore = try store.lastSequence()

        let storeStart = DispatchTime.now()
        try store.write(author: "bench") { writer in
            for entry in entries { try writer.record(entry) }
        }
        let storeSeconds = Self.seconds(since: storeStart)

        // The rows the store wrote, read back so the baseline inserts exactly the same bytes.
        let rows = try RawRows.read(from: storePath, afterSequence: sequenceBefore)
        guard rows.observations.count == count, rows.changes.count == count else {
            throw ValidationError(
                "expected \(count) observations and changes, found \(rows.observations.count) and \(rows.changes.count)"
            )
        }
        _ = try ImprovementStore(path: rawPath)  // same schema, same indexes
        let rawSeconds = try rows.insert(into: rawPath)

        let ratio = storeSeconds / rawSeconds
        if json {
            let report: [String: Any] = [
                "benchmark": "store", "count": count, "store_seconds": storeSeconds, "raw_seconds": rawSeconds,
                "ratio": ratio, "store_observations_per_second": Double(count) / storeSeconds,
                "raw_observations_per_second": Double(count) / rawSeconds,
                "raw_rows": "observation row + change-log row per observation, same values, one transaction",
            ]
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("recorded \(count) observations through the store in \(Self.format(storeSeconds)) s")
            print("raw SQLite inserts of the same rows: \(Self.format(rawSeconds)) s; ratio \(Self.format(ratio))")
        }
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
