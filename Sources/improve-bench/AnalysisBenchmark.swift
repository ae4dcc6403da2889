import ArgumentParser
import Foundation
import ImprovementCore

/// `improve-bench analysis`: the progress and data-quality review of a large programme, from a store.
struct AnalysisBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analysis",
        abstract: "Progress for many measures × weekly periods × units, read from a store file.",
        discussion: """
            The baseline, measured in the same run on the same file, reads the very rows the analysis \
            reads (measure, unit, site, period, numerator, denominator, value, note, versions) with raw \
            SQLite and does nothing with them; ratio = analysis seconds ÷ baseline seconds.
            """)

    @Option(help: "Measures in the programme.")
    var measures = 500
    @Option(help: "Weekly periods per measure and unit.")
    var weeks = 104
    @Option(help: "Units (wards), spread over four sites.")
    var units = 20
    @Option(help: "Keep the generated store at this path, and reuse it when it exists (to time the analysis alone).")
    var store: String?
    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func run() throws {
        let folder = NSTemporaryDirectory() + "improve-bench-analysis-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = self.store ?? folder + "/store.sqlite"
        let reuse = self.store != nil && FileManager.default.fileExists(atPath: path)
        let store = try ImprovementStore(path: path)
        if !reuse { try generate(into: store) }
        try analyse(store, path: path, start: DispatchTime.now())
    }

    static let charts: [Measure.Chart] = [.p, .u, .i, .run, .c]

    func generate(into store: ImprovementStore) throws {
        let today = store.today
        let charts = Self.charts
        try store.write(author: "bench") { writer in
            for site in 0..<4 { try writer.save(Site(id: "site-\(site)", name: "Site \(site)")) }
            for unit in 0..<units {
                try writer.save(Unit(id: "unit-\(unit)", site: "site-\(unit % 4)", name: "Unit \(unit)"))
            }
            try writer.save(Programme(id: "big", name: "Big programme", aim: "Improve everything by 2028"))
            for measure in 0..<measures {
                try writer.save(
                    Measure(
                        id: "m\(measure)", programme: "big", name: "Measure \(measure)",
                        type: [.outcome, .process, .balancing][measure % 3], chart: charts[measure % charts.count],
                        frequency: .week, direction: measure % 2 == 0 ? .up : .down))
            }
        }
        // Recorded through the store (not timed), 100,000 per transaction.
        let firstWeek = today.startOfWeek.adding(days: -7 * weeks)
        var generator = SystemRandomNumberGenerator()
        for measure in 0..<measures {
            let chart = charts[measure % charts.count]
            try store.write(author: "bench") { writer in
                for unit in 0..<units {
                    for week in 0..<weeks {
                        let shift = week >= weeks / 2 ? 5.0 : 0
                        let period = firstWeek.adding(days: 7 * week)
                        switch chart {
                        case .p, .u:
                            let denominator = Double(Int.random(in: 80...120, using: &generator))
                            let numerator = min(denominator, Double(Int.random(in: 20...40, using: &generator)) + shift)
                            try writer.record(
                                ObservationEntry(
                                    measure: "m\(measure)", unit: "unit-\(unit)", period: period, numerator: numerator,
                                    denominator: denominator))
                        default:
                            try writer.record(
                                ObservationEntry(
                                    measure: "m\(measure)", unit: "unit-\(unit)", period: period,
                                    value: Double(Int.random(in: 10...20, using: &generator)) + shift))
                        }
                    }
                }
            }
        }
    }

    func analyse(_ store: ImprovementStore, path: String, start: DispatchTime) throws {
        let (progress, quality) = try ProgressAnalysis.review(store: store, programme: "big")
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let observations = measures * weeks * units
        // The baseline: the same rows, read with raw SQLite and no analysis at all.
        let raw = try RawDatabase(path: path)
        let rawStart = DispatchTime.now()
        let scanned = try raw.scan(
            "SELECT measure, unit, site, period, numerator, denominator, value, note, versions FROM observation "
                + "WHERE deleted = 0 ORDER BY id")
        let rawSeconds = Double(DispatchTime.now().uptimeNanoseconds - rawStart.uptimeNanoseconds) / 1e9
        let ratio = rawSeconds > 0 ? seconds / rawSeconds : 0
        if json {
            let report: [String: Any] = [
                "benchmark": "analysis", "measures": measures, "weeks": weeks, "units": units,
                "observations": observations, "series": progress.measures.count, "flags": progress.flags.count,
                "unexplained_outliers": quality.unexplainedOutliers.count, "seconds": seconds,
                "raw_read_seconds": rawSeconds, "raw_rows": scanned.rows, "ratio": ratio,
            ]
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "reviewed \(observations) observations (\(progress.measures.count) series) in "
                    + "\(StoreBenchmark.format(seconds)) s; raw SQLite read of the same rows "
                    + "\(StoreBenchmark.format(rawSeconds)) s; ratio \(String(format: "%.1f", ratio))")
        }
    }
}
