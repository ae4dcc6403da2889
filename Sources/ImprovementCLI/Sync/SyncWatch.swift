import Dispatch
import Foundation
import ImprovementCore
import ImprovementHTTPTransport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `improve sync --watch`: `SyncEngine.watch` until Ctrl-C or SIGTERM, one line per exchange.
struct SyncWatch {
    let device: Device
    let server: URL
    let token: String
    let retryDelay: Double
    let pushBatchSize: Int
    let pullPageSize: Int
    let json: Bool

    /// How long the server holds each live pull when nothing is new, in seconds: under the idle
    /// timeout of most proxies, so a quiet ward's connection is not cut.
    static let wait = 25
    /// The longest wait between retries, in seconds: a watch comes back soon after the server does.
    static let retryCap = 15.0

    func run() async throws {
        let options = SyncEngine.Options(
            retries: 0, backoff: Backoff(base: max(0.1, retryDelay), cap: Self.retryCap),
            pushBatchSize: pushBatchSize, pullPageSize: pullPageSize, pollInterval: 1, minimumInterval: 1)
        let engine = SyncEngine(
            store: device.store, server: server, token: token, transport: HTTPClientTransport(), options: options)
        if !json {
            Console.note(
                "Watching \(server.absoluteString): changes recorded on this device are sent within seconds, and "
                    + "changes made elsewhere arrive as they are made. Ctrl-C stops.")
        }
        let json = json
        let watching = Task {
            try await engine.watch(wait: Self.wait) { event in Self.show(event, json: json) }
        }
        let stop = StopSignals { watching.cancel() }
        defer { stop.cancel() }
        do {
            try await watching.value
        } catch let error as SyncError {
            let (message, code) = SyncExplanation.explain(error)
            throw CLIError("Stopped watching. " + message, exitCode: code)
        } catch let error as SyncEngineError {
            throw CLIError("Stopped watching. " + error.description, exitCode: ExitStatus.incomplete)
        }
        let pending = try device.store.pendingCount()
        if json {
            Console.line(Self.line("stopped", [("pending", .integer(pending))]))
        } else {
            Console.line(
                "\(Self.clock()) stopped: nothing is left half-done"
                    + (pending > 0 ? "; \(pending) change\(pending == 1 ? "" : "s") wait for the next sync." : "."))
        }
    }

    static func show(_ event: SyncEngine.WatchEvent, json: Bool) {
        switch event {
        case .sent(let progress, let pending):
            if json {
                Console.line(
                    line(
                        "sent",
                        [
                            ("sent", .integer(progress.pushed)), ("alreadyOnServer", .integer(progress.duplicates)),
                            ("held", .integer(progress.held)), ("pending", .integer(pending)),
                        ]))
            } else {
                var text = "\(clock()) sent \(count(progress.pushed + progress.duplicates, "change"))"
                if progress.held > 0 { text += "; \(progress.held) refused and set aside (see improve held)" }
                Console.line(text + (pending > 0 ? "; \(pending) still waiting" : ""))
            }
        case .received(let progress):
            if json {
                Console.line(
                    line(
                        "received",
                        [
                            ("received", .integer(progress.received)), ("pages", .integer(progress.pages)),
                            ("serverRestored", .bool(progress.serverRestored)),
                        ]))
            } else {
                let text =
                    progress.received == 0
                    ? "nothing new" : "received \(count(progress.received, "change")) from other devices"
                Console.line("\(clock()) \(text)")
            }
        case .willRetry(let error, let delay, let exchange):
            if json {
                Console.line(
                    line(
                        "retry",
                        [
                            ("exchange", .string(exchange.rawValue)), ("error", .string(error.description)),
                            ("delay", .number(delay)),
                        ]))
            } else {
                Console.line("\(clock()) \(error.description) Trying again in \(String(format: "%.1f", delay)) s.")
            }
        case .restamped(let restamped):
            if json {
                Console.line(line("restamped", [("restamped", .integer(restamped))]))
            } else {
                Console.line(
                    "\(clock()) re-stamped \(count(restamped, "change")) made while this device's clock was wrong")
            }
        }
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// One JSON object on one line, naming the event and its time (members are scalars, which render on one line).
    private static func line(_ event: String, _ members: [(String, JSONOut)]) -> String {
        let all = [("event", JSONOut.string(event))] + members + [("time", .string(NumberText.iso(Date())))]
        return "{"
            + all.map { key, value in JSONOut.string(key).rendered() + ":" + value.rendered() }.joined(separator: ",")
            + "}"
    }

    /// The time of day, for the start of a line.
    private static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}

/// Runs `stop` once on SIGINT (Ctrl-C) or SIGTERM, instead of the process dying mid-transaction.
final class StopSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ stop: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: stop)
            source.resume()
            return source
        }
    }

    /// Stops listening; the signals' default actions apply again.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
