import Foundation
import Synchronization

/// Every exchange's route, status and time, shared by the simulated devices.
final class LatencyRecorder: Sendable {
    private struct Samples {
        var seconds: [String: [Double]] = [:]
        var statuses: [String: Int] = [:]
        var changes = 0
    }
    private let samples = Mutex(Samples())

    func record(route: String, status: Int, seconds: Double, changes: Int) {
        samples.withLock { samples in
            samples.seconds[route, default: []].append(seconds)
            if status != 200 {
                samples.statuses["\(route) \(status == 0 ? "unreachable" : String(status))", default: 0] += 1
            }
            samples.changes += changes
        }
    }

    /// The figures as a JSON object: per route count, p50/p95/p99/max in milliseconds.
    func report(
        elapsed: Double, devices: Int, think: Int, backend: String, serverCPUShare: Double, rssStart: Int, rssEnd: Int
    ) -> [String: Any] {
        samples.withLock { samples in
            var routes: [String: Any] = [:]
            var requests = 0
            for (route, values) in samples.seconds {
                let sorted = values.sorted()
                requests += sorted.count
                func quantile(_ q: Double) -> Double { LatencyRecorder.percentile(sorted, q) * 1000 }
                routes[route] = [
                    "requests": sorted.count, "p50_ms": quantile(0.5), "p95_ms": quantile(0.95),
                    "p99_ms": quantile(0.99), "max_ms": (sorted.last ?? 0) * 1000,
                ]
            }
            return [
                "benchmark": "load", "backend": backend, "devices": devices, "think_ms": think, "seconds": elapsed,
                "requests": requests, "requests_per_second": Double(requests) / elapsed,
                "changes_per_second": Double(samples.changes) / elapsed, "routes": routes,
                "errors": samples.statuses, "error_count": samples.statuses.values.reduce(0, +),
                "server_rss_mb_start": rssStart, "server_rss_mb_end": rssEnd,
                "server_cpu_cores": serverCPUShare,
                "server_cpu_share": serverCPUShare / Double(ProcessInfo.processInfo.activeProcessorCount),
            ]
        }
    }

    /// The nearest-rank percentile of values already sorted; 0 for none.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * fraction).rounded(.up)) - 1))]
    }

    static func summary(_ report: [String: Any]) -> String {
        var lines: [String] = []
        let rate = report["requests_per_second"] as? Double ?? 0
        let changes = report["changes_per_second"] as? Double ?? 0
        lines.append(
            "\(report["devices"] ?? 0) devices, \(report["backend"] ?? ""), think \(report["think_ms"] ?? 0) ms: "
                + "\(Int(rate)) requests/s, \(Int(changes)) changes/s, errors \(report["error_count"] ?? 0)")
        for (route, value) in (report["routes"] as? [String: [String: Any]] ?? [:]).sorted(by: { $0.key < $1.key }) {
            func ms(_ key: String) -> String { String(format: "%.1f", value[key] as? Double ?? 0) }
            lines.append(
                "  \(route): \(value["requests"] ?? 0) requests, p50 \(ms("p50_ms")) ms, p95 \(ms("p95_ms")) ms, "
                    + "p99 \(ms("p99_ms")) ms, max \(ms("max_ms")) ms")
        }
        let cores = report["server_cpu_cores"] as? Double ?? 0
        lines.append(
            "  server: RSS \(report["server_rss_mb_start"] ?? 0) → \(report["server_rss_mb_end"] ?? 0) MB, "
                + String(format: "CPU %.2f cores", cores))
        if let errors = report["errors"] as? [String: Int], !errors.isEmpty {
            lines.append(
                "  errors: "
                    + errors.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
