import Foundation
import ImprovementCore
import ImprovementHTTPTransport
import Synchronization

/// One `improve sync`: `SyncEngine.syncOnce()` (push then pull, retries with backoff, clock-skew
/// recovery), shown on the terminal as it goes and explained in the device's words when it fails.
struct SyncSession {
    let device: Device
    let server: URL
    let token: String
    /// How many times a transient failure (network, server error) is retried.
    let retries: Int
    /// The first wait before a retry, in seconds; each further wait doubles it.
    let retryDelay: Double
    let pushBatchSize: Int
    let pullPageSize: Int
    let progressMode: SyncProgressView.Mode

    /// What the session did.
    struct Outcome {
        /// Totals of the attempt that succeeded.
        var progress: SyncClient.Progress?
        /// Pending changes given new stamps after the clock was corrected.
        var restamped = 0
        /// Transient failures retried.
        var retried = 0
    }

    func run() async throws -> Outcome {
        // Exact doublings, as `improve sync --help` promises: no jitter, no cap beyond --retry-delay's own.
        let options = SyncEngine.Options(
            retries: retries, backoff: Backoff(base: retryDelay, cap: .greatestFiniteMagnitude, jitter: 0),
            pushBatchSize: pushBatchSize, pullPageSize: pullPageSize)
        let engine = SyncEngine(
            store: device.store, server: server, token: token, transport: HTTPClientTransport(), options: options)
        let counts = Mutex((restamped: 0, retried: 0))
        let mode = progressMode
        do {
            let progress = try await engine.syncOnce { event in
                switch event {
                case .attemptStarted(let pending):
                    SyncProgressView(mode: mode, pending: pending).begin()
                case .progress(let progress, let pending):
                    SyncProgressView(mode: mode, pending: pending).report(progress)
                case .attemptEnded(let pending):
                    SyncProgressView(mode: mode, pending: pending).finish()
                case .willRetry(let error, let delay, let retry, let of):
                    counts.withLock { $0.retried = retry }
                    Console.note(
                        "\(error.description) Trying again in \(Self.seconds(delay)) (retry \(retry) of \(of)).")
                case .restamped(let count):
                    counts.withLock { $0.restamped = count }
                    Console.note(
                        "Re-stamped \(count) change\(count == 1 ? "" : "s") made while this device's clock was wrong; "
                            + "sending \(count == 1 ? "it" : "them") again.")
                }
            }
            let (restamped, retried) = counts.withLock { ($0.restamped, $0.retried) }
            return Outcome(progress: progress, restamped: restamped, retried: retried)
        } catch SyncEngineError.gaveUp(let error, let attempts) {
            let (message, code) = SyncExplanation.explain(error)
            throw CLIError(message + " (Tried \(attempts) times.)", exitCode: code)
        } catch SyncEngineError.clockAhead(let minutes) {
            throw CLIError(
                "The server refused this device's changes because its clock is wrong: it is about \(minutes) "
                    + "minute\(minutes == 1 ? "" : "s") ahead of the server. Set the date and time correctly "
                    + "(automatic date and time is best), then run improve sync again. The changes waiting on this "
                    + "device are kept; they are re-stamped and sent once the clock is right.",
                exitCode: ExitStatus.incomplete)
        }
    }

    private static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f s", value) : "\(Int(value.rounded())) s"
    }
}
