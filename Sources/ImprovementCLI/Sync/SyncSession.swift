import Foundation
import ImprovementCore

/// One `improve sync`: push then pull through `SyncClient`, retrying transient failures with
/// exponential backoff, and recovering from a clock-skew refusal once the clock is right.
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

    /// How far the device clock may be ahead of the server's before re-stamping is pointless.
    static let clockTolerance: Int64 = 60_000

    func run() async throws -> Outcome {
        var client = SyncClient(server: server, token: token, store: device.store)
        client.pushBatchSize = pushBatchSize
        client.pullPageSize = pullPageSize
        var outcome = Outcome()
        var triedRestamp = false
        while true {
            let view = SyncProgressView(mode: progressMode, pending: try device.store.pendingCount())
            view.begin()
            do {
                outcome.progress = try await client.sync(report: { view.report($0) })
                view.finish()
                return outcome
            } catch {
                view.finish()
                switch error {
                case .clockSkew(_, let serverMillis) where !triedRestamp:
                    triedRestamp = true
                    outcome.restamped = try await restamp(serverMillis: serverMillis, refusal: error)
                    Console.note(
                        "Re-stamped \(outcome.restamped) change\(outcome.restamped == 1 ? "" : "s") made while this "
                            + "device's clock was wrong; sending \(outcome.restamped == 1 ? "it" : "them") again.")
                case _ where error.isTransient && outcome.retried < retries:
                    let delay = retryDelay * pow(2, Double(outcome.retried))
                    outcome.retried += 1
                    Console.note(
                        "\(error.description) Trying again in \(Self.seconds(delay)) "
                            + "(retry \(outcome.retried) of \(retries)).")
                    try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                case _ where error.isTransient && retries > 0:
                    let (message, code) = SyncExplanation.explain(error)
                    throw CLIError(message + " (Tried \(retries + 1) times.)", exitCode: code)
                default:
                    throw error
                }
            }
        }
    }

    /// After a `clock_skew` refusal: if the device clock now agrees with the server's, gives the
    /// waiting changes stamped in the future new stamps (Protocol/README.md 12.4); otherwise
    /// explains that the clock is still wrong.
    private func restamp(serverMillis: Int64?, refusal: SyncError) async throws -> Int {
        let serverNow: Int64?
        if let serverMillis {
            serverNow = serverMillis
        } else {
            serverNow = await ServerClock.nowMillis(server: server)
        }
        let deviceNow = device.clock.nowMillis()
        guard let serverNow else { throw refusal }
        let ahead = deviceNow - serverNow
        guard ahead <= Self.clockTolerance else {
            let minutes = max(1, Int((ahead + 30_000) / 60_000))
            throw CLIError(
                "The server refused this device's changes because its clock is wrong: it is about \(minutes) "
                    + "minute\(minutes == 1 ? "" : "s") ahead of the server. Set the date and time correctly "
                    + "(automatic date and time is best), then run improve sync again. The changes waiting on this "
                    + "device are kept; they are re-stamped and sent once the clock is right.",
                exitCode: ExitStatus.incomplete)
        }
        let report = try device.store.restampPendingChanges(stampedAfter: deviceNow)
        guard report.restamped > 0 else { throw refusal }
        return report.restamped
    }

    private static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f s", value) : "\(Int(value.rounded())) s"
    }
}
