import Foundation

/// Keeps one store in sync with one server for as long as a client runs it.
///
/// `syncOnce()` runs one sync (push then pull, through `SyncClient`), retrying transient
/// failures with exponential backoff and jitter, and re-stamping changes made while the device
/// clock was ahead once the clock is right (Protocol/README.md §12.4). `run()` keeps syncing
/// until its task is cancelled: it pushes soon after a change is recorded, pulls on a schedule,
/// and syncs at once when `requestSync()` asks. `statusUpdates()` tells a client what it is doing.
///
/// Cancelling stops the engine between transactions: each pushed batch is marked sent, and each
/// pulled page applied with its cursor, in one transaction, so what was done stays done and the
/// next sync resumes from there.
public actor SyncEngine {
    /// How the engine syncs, and the time and randomness it uses (replaceable so tests are exact).
    public struct Options: Sendable {
        /// How many times one sync retries a transient failure (network, server error) before giving up.
        public var retries: Int
        /// The waits between those retries, and between failed syncs in `run()`.
        public var backoff: Backoff
        /// Most changes sent per request.
        public var pushBatchSize: Int
        /// Most changes received per page.
        public var pullPageSize: Int
        /// How often `run()` looks for changes waiting to be sent, in seconds.
        public var pollInterval: Double
        /// The least time between two syncs that `run()` starts because changes are waiting, in
        /// seconds: a burst of recording becomes one push, not one per change.
        public var minimumInterval: Double
        /// How often `run()` pulls when nothing else has made it sync, in seconds.
        public var pullInterval: Double
        /// Waits so many seconds (cancellable).
        public var sleep: @Sendable (Double) async throws -> Void
        /// The time reported as `SyncStatus.lastSynced`, and that `run()` schedules by.
        public var now: @Sendable () -> Date
        /// The jitter's random source.
        public var random: any RandomNumberGenerator & Sendable

        /// Options with the defaults a device app wants: 5 retries from half a second, jittered and
        /// capped at a minute; a look for waiting changes every second, at most one push every 2
        /// seconds, a pull every 5 minutes; the real clock, sleep and randomness.
        public init(
            retries: Int = 5, backoff: Backoff = Backoff(), pushBatchSize: Int = 2000, pullPageSize: Int = 5000,
            pollInterval: Double = 1, minimumInterval: Double = 2, pullInterval: Double = 300,
            sleep: @escaping @Sendable (Double) async throws -> Void = { try await Task.sleep(for: .seconds($0)) },
            now: @escaping @Sendable () -> Date = { Date() },
            random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
        ) {
            self.retries = max(0, retries)
            self.backoff = backoff
            self.pushBatchSize = pushBatchSize
            self.pullPageSize = pullPageSize
            self.pollInterval = pollInterval
            self.minimumInterval = minimumInterval
            self.pullInterval = pullInterval
            self.sleep = sleep
            self.now = now
            self.random = random
        }
    }

    /// What happens during `syncOnce(events:)`, for a client that shows it as it goes.
    public enum Event: Sendable {
        /// An attempt begins, with so many changes waiting to be sent.
        case attemptStarted(pending: Int)
        /// A batch was sent or a page received: the attempt's totals so far.
        case progress(SyncClient.Progress, pending: Int)
        /// The attempt ended (done or failed).
        case attemptEnded(pending: Int)
        /// The attempt failed with a transient error; retry `retry` of `of` follows after `delay` seconds.
        case willRetry(SyncError, delay: Double, retry: Int, of: Int)
        /// After a clock-skew refusal, so many waiting changes were given new stamps; they are sent again.
        case restamped(Int)
    }

    /// How far the device clock may be ahead of the server's before re-stamping is pointless, in milliseconds.
    public static let clockTolerance: Int64 = 60_000

    let store: ImprovementStore
    private let server: URL
    let client: SyncClient
    var options: Options
    let broadcast: SyncStatusBroadcast
    private var syncRequested = false
    private var running = false
    private let transport: any SyncTransport

    /// An engine for `store` and the server at `server`, signing in with `token` and speaking over
    /// `transport` (the CLI passes `HTTPClientTransport()`). It does nothing until asked.
    ///
    /// One engine per store: two engines, or `syncOnce()` called while `run()` runs, would sync
    /// side by side: nothing is lost or applied twice (the server drops duplicates and merging is
    /// idempotent), but the work is done twice. Ask a running engine with `requestSync()` instead.
    public init(
        store: ImprovementStore, server: URL, token: String, transport: any SyncTransport, options: Options = Options()
    ) {
        self.store = store
        self.transport = transport
        self.server = server
        self.options = options
        client = SyncClient(
            server: server, token: token, store: store, transport: transport, pushBatchSize: options.pushBatchSize,
            pullPageSize: options.pullPageSize)
        broadcast = SyncStatusBroadcast(
            SyncStatus(
                state: .idle, pending: (try? store.pendingCount()) ?? 0, held: (try? store.heldChanges().count) ?? 0))
    }

    /// The status now, then every change of it. Each call gives a stream of its own; a stream
    /// that is read too slowly keeps the newest statuses.
    public nonisolated func statusUpdates() -> AsyncStream<SyncStatus> {
        broadcast.stream()
    }

    /// The status now.
    public nonisolated var status: SyncStatus { broadcast.current }

    /// Asks a running `run()` to sync at its next look (within `Options.pollInterval`), whatever its schedule.
    public func requestSync() {
        syncRequested = true
    }

    /// Pushes every waiting change, then pulls everything new, retrying transient failures with
    /// backoff (`Options.retries`) and re-stamping after a clock-skew refusal once the clock is right.
    ///
    /// Throws the `SyncError` that stopped it; `SyncEngineError.gaveUp` when transient failures
    /// outlasted the retries; `SyncEngineError.clockAhead` when the device clock is still ahead;
    /// `CancellationError` when its task was cancelled.
    @discardableResult
    public func syncOnce(events: @escaping @Sendable (Event) -> Void = { _ in }) async throws -> SyncClient.Progress {
        do {
            let progress = try await attempt(events: events)
            broadcast.update { status in
                status.state = .idle
                status.lastError = nil
            }
            return progress
        } catch {
            let words = Self.words(error)
            broadcast.update { status in
                status.state = .idle
                if let words { status.lastError = words }
            }
            throw error
        }
    }

    /// Syncs until the calling task is cancelled: whenever changes wait to be sent (looked for
    /// every `pollInterval`, at most one sync per `minimumInterval`), every `pullInterval`, and
    /// when `requestSync()` asks. A failed sync is tried again after a backoff that grows with
    /// each failure in a row. Returns soon after cancellation, leaving the status `stopped`. A
    /// second call while one runs returns at once.
    public func run() async {
        guard !running else { return }
        running = true
        defer {
            running = false
            broadcast.update { $0.state = .stopped }
        }
        broadcast.update { $0.state = .idle }
        var lastStart: Date?
        var lastPull: Date?
        var failures = 0
        var retryAt: Date?
        while !Task.isCancelled {
            let now = options.now()
            let pending = (try? store.pendingCount()) ?? 0
            broadcast.update { $0.pending = pending }
            let due: Bool
            if syncRequested {
                due = true
            } else if let retryAt {
                due = now >= retryAt
            } else {
                let changesWait =
                    pending > 0 && lastStart.map { now.timeIntervalSince($0) >= options.minimumInterval } ?? true
                let pullDue = lastPull.map { now.timeIntervalSince($0) >= options.pullInterval } ?? true
                due = changesWait || pullDue
            }
            if due {
                syncRequested = false
                lastStart = now
                do {
                    _ = try await attempt(events: { _ in })
                    failures = 0
                    retryAt = nil
                    lastPull = options.now()
                    broadcast.update { status in
                        status.state = .idle
                        status.lastError = nil
                    }
                } catch {
                    if error is CancellationError || Task.isCancelled { break }
                    let delay = options.backoff.delay(attempt: failures, using: &options.random)
                    failures += 1
                    retryAt = options.now().addingTimeInterval(delay)
                    let words = Self.words(error)
                    broadcast.update { status in
                        status.state = .waitingToRetry
                        if let words { status.lastError = words }
                    }
                }
            }
            do {
                try await options.sleep(options.pollInterval)
            } catch {
                break
            }
        }
    }

    /// One sync with its retries; publishes its progress and its outcome's figures.
    private func attempt(events: @escaping @Sendable (Event) -> Void) async throws -> SyncClient.Progress {
        var triedRestamp = false
        var retried = 0
        while true {
            try Task.checkCancellation()
            let pending = try store.pendingCount()
            broadcast.update { status in
                status.state = .connecting
                status.pending = pending
            }
            events(.attemptStarted(pending: pending))
            let progress: SyncClient.Progress
            do {
                progress = try await client.sync(report: { [broadcast, store] progress in
                    let uploading = progress.pages == 0
                    let waiting = uploading ? try? store.pendingCount() : nil
                    broadcast.update { status in
                        status.state = uploading ? .uploading : .downloading
                        if let waiting { status.pending = waiting }
                    }
                    events(.progress(progress, pending: pending))
                })
            } catch {
                events(.attemptEnded(pending: pending))
                if Task.isCancelled { throw CancellationError() }
                switch error {
                case .clockSkew(_, let serverMillis) where !triedRestamp:
                    triedRestamp = true
                    let restamped = try await restamp(serverMillis: serverMillis, refusal: error)
                    events(.restamped(restamped))
                case _ where error.isTransient && retried < options.retries:
                    let delay = options.backoff.delay(attempt: retried, using: &options.random)
                    retried += 1
                    let words = error.description
                    broadcast.update { status in
                        status.state = .waitingToRetry
                        status.lastError = words
                    }
                    events(.willRetry(error, delay: delay, retry: retried, of: options.retries))
                    try await options.sleep(delay)
                case _ where error.isTransient && options.retries > 0:
                    throw SyncEngineError.gaveUp(error, attempts: options.retries + 1)
                default:
                    throw error
                }
                continue
            }
            events(.attemptEnded(pending: pending))
            let (waiting, held, finished) = (try store.pendingCount(), try store.heldChanges().count, options.now())
            broadcast.update { status in
                status.pending = waiting
                status.held = held
                status.lastSynced = finished
            }
            return progress
        }
    }

    /// After a `clock_skew` refusal: if the device clock now agrees with the server's, gives the
    /// waiting changes stamped in the future new stamps; otherwise says how far ahead the clock is.
    func restamp(serverMillis: Int64?, refusal: SyncError) async throws -> Int {
        let serverNow: Int64?
        if let serverMillis {
            serverNow = serverMillis
        } else {
            serverNow = await ServerClock.nowMillis(server: server, transport: transport)
        }
        let deviceNow = store.options.clock.nowMillis()
        guard let serverNow else { throw refusal }
        let ahead = deviceNow - serverNow
        guard ahead <= Self.clockTolerance else {
            throw SyncEngineError.clockAhead(minutes: max(1, Int((ahead + 30_000) / 60_000)))
        }
        let report = try store.restampPendingChanges(stampedAfter: deviceNow)
        guard report.restamped > 0 else { throw refusal }
        return report.restamped
    }

    /// A failure in words for `SyncStatus.lastError` (nil for a cancellation, which is no failure).
    static func words(_ error: any Error) -> String? {
        switch error {
        case is CancellationError: nil
        case let error as SyncError: error.description
        case let error as SyncEngineError: error.description
        default: "The device store could not be read or updated: \(error)"
        }
    }
}

/// Why `SyncEngine.syncOnce()` stopped, beyond the `SyncError`s the server's answers give.
public enum SyncEngineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Transient failures (network, server) lasted through every retry; `attempts` counts the first try too.
    case gaveUp(SyncError, attempts: Int)
    /// The server refused the changes for the device clock, and the clock is still about so many minutes ahead.
    case clockAhead(minutes: Int)

    /// The failure in words the person holding the device can act on.
    public var description: String {
        switch self {
        case .gaveUp(let error, let attempts):
            return error.description + " (Tried \(attempts) times.)"
        case .clockAhead(let minutes):
            return "The server refused this device's changes because its clock is wrong: it is about \(minutes) "
                + "minute\(minutes == 1 ? "" : "s") ahead of the server. Set the date and time correctly "
                + "(automatic date and time is best). The changes waiting on this device are kept; they are "
                + "re-stamped and sent once the clock is right."
        }
    }
}
