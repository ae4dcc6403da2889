import Foundation

extension SyncEngine {
    /// Which half of a watch an event is about.
    public enum WatchExchange: String, Sendable {
        case push, pull
    }

    /// What happens during `watch(wait:events:)`: one event per exchange with the server, and
    /// one per failure.
    public enum WatchEvent: Sendable {
        /// Changes recorded on this device were sent (`progress.pushed` new to the server); so many still wait.
        case sent(SyncClient.Progress, pending: Int)
        /// A live pull answered and its pages were applied: `progress.received` changes came from
        /// other devices; none when the wait ended with nothing new.
        case received(SyncClient.Progress)
        /// An exchange failed with a transient error (network, server); it is tried again after `delay` seconds.
        case willRetry(SyncError, delay: Double, exchange: WatchExchange)
        /// After a clock-skew refusal, so many waiting changes were given new stamps; they are sent again.
        case restamped(Int)
    }

    /// Keeps the store in sync until the calling task is cancelled, within seconds both ways:
    /// changes recorded on this device (by any process: the store is looked at every
    /// `Options.pollInterval`) are pushed, at most one push per `Options.minimumInterval`; and a
    /// live pull (held by the server up to `wait` seconds, Protocol/README.md §8.4) is always
    /// open, so others' changes arrive as they commit. Transient failures (a server restart,
    /// the network gone) are retried for as long as the watch runs, after waits that grow with
    /// each failure in a row (`Options.backoff`).
    ///
    /// Returns when cancelled, between transactions: each pushed batch is marked sent, and each
    /// pulled page applied with its cursor, in one transaction, so nothing is left half-applied.
    /// Throws what no retry can mend: a `SyncError` such as a withdrawn token, or
    /// `SyncEngineError.clockAhead`.
    public func watch(wait: Int = 25, events: @escaping @Sendable (WatchEvent) -> Void) async throws {
        let wait = min(max(1, wait), 60)
        broadcast.update { $0.state = .idle }
        defer { broadcast.update { $0.state = .stopped } }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.watchPushes(events: events) }
                group.addTask { try await self.watchPulls(wait: wait, events: events) }
                // Either half ends only by failing (or by cancellation): the other stops with it.
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            if Task.isCancelled { return }
            throw error
        }
    }

    /// Pushes whenever changes wait, throttled; retries transient failures with backoff.
    private func watchPushes(events: @escaping @Sendable (WatchEvent) -> Void) async throws {
        var failures = 0
        var lastPush: Date?
        var triedRestamp = false
        while true {
            try Task.checkCancellation()
            let pending = try store.pendingCount()
            broadcast.update { $0.pending = pending }
            let throttled = lastPush.map { options.now().timeIntervalSince($0) < options.minimumInterval } ?? false
            guard pending > 0, !throttled else {
                try await options.sleep(options.pollInterval)
                continue
            }
            lastPush = options.now()
            broadcast.update { $0.state = .uploading }
            let progress: SyncClient.Progress
            do {
                progress = try await client.push()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                switch error {
                case .clockSkew(_, let serverMillis) where !triedRestamp:
                    triedRestamp = true
                    events(.restamped(try await restamp(serverMillis: serverMillis, refusal: error)))
                    lastPush = nil
                case _ where error.isTransient:
                    let delay = options.backoff.delay(attempt: failures, using: &options.random)
                    failures += 1
                    note(error)
                    events(.willRetry(error, delay: delay, exchange: .push))
                    try await options.sleep(delay)
                    lastPush = nil
                default:
                    throw error
                }
                continue
            }
            failures = 0
            triedRestamp = false
            let waiting = try store.pendingCount()
            broadcast.update { status in
                status.state = .idle
                status.pending = waiting
                status.lastError = nil
            }
            events(.sent(progress, pending: waiting))
        }
    }

    /// Holds a live pull open, one after another; retries transient failures with backoff.
    private func watchPulls(wait: Int, events: @escaping @Sendable (WatchEvent) -> Void) async throws {
        var failures = 0
        while true {
            try Task.checkCancellation()
            let started = ContinuousClock.now
            let progress: SyncClient.Progress
            do {
                progress = try await client.pull(wait: wait)
            } catch {
                if Task.isCancelled { throw CancellationError() }
                guard error.isTransient else { throw error }
                let delay = options.backoff.delay(attempt: failures, using: &options.random)
                failures += 1
                note(error)
                events(.willRetry(error, delay: delay, exchange: .pull))
                try await options.sleep(delay)
                continue
            }
            failures = 0
            let finished = options.now()
            broadcast.update { status in
                status.lastSynced = finished
                status.lastError = nil
            }
            events(.received(progress))
            // A server that predates live pulls answers at once: do not ask it again and again.
            if progress.pulled == 0 && ContinuousClock.now - started < .seconds(wait) / 2 {
                try await options.sleep(5 * options.pollInterval)
            }
        }
    }

    private func note(_ error: SyncError) {
        let words = error.description
        broadcast.update { status in
            status.state = .waitingToRetry
            status.lastError = words
        }
    }
}
