import Synchronization

/// Work waiting for SQLite's single writer, taken up in groups: while one group's transaction
/// runs, the pushes that arrive queue here, and the next group takes all of them (up to a bound)
/// into one transaction, so a busy server commits, and syncs to disk, once per group instead of
/// once per push. How each job is applied (in a savepoint of its own, refused alone) is the
/// caller's `apply`; results reach each caller only after its group has committed.
final class GroupedWrites<Job: Sendable, Output: Sendable>: Sendable {
    /// Applies a group, returning one result per job, in order.
    typealias Apply = @Sendable (_ jobs: [Job]) -> [Result<Output, any Error>]

    private struct Waiting: Sendable {
        var job: Job
        var weight: Int
        var continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        /// True while a group is queued or running on the write queue.
        var scheduled = false
    }

    private let state = Mutex(State())
    private let maxWeight: Int
    private let apply: Apply
    private let groupsCommitted = Atomic(0)

    /// - Parameter maxWeight: a group takes jobs while their weights (changes, say) add up to at
    ///   most this; a job heavier than that goes alone.
    init(maxWeight: Int, apply: @escaping Apply) {
        self.maxWeight = maxWeight
        self.apply = apply
    }

    /// How many groups have been applied so far.
    var groups: Int { groupsCommitted.load(ordering: .relaxed) }

    /// How many jobs wait for a group to take them.
    var waiting: Int { state.withLock { $0.waiting.count } }

    /// Queues `job` for the writer and returns its result once its group has been applied.
    func submit(_ job: Job, weight: Int) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let schedule = state.withLock { state in
                state.waiting.append(Waiting(job: job, weight: weight, continuation: continuation))
                guard !state.scheduled else { return false }
                state.scheduled = true
                return true
            }
            if schedule { BlockingWork.enqueueWrite { self.runGroup() } }
        }
    }

    /// Takes the jobs waiting now and applies them; with more waiting after, queues itself again
    /// behind whatever other writes (a heartbeat, say) were queued meanwhile.
    private func runGroup() {
        let group = state.withLock { state -> [Waiting] in
            var weight = 0
            var count = 0
            for waiting in state.waiting {
                if count > 0 && weight + waiting.weight > maxWeight { break }
                weight += waiting.weight
                count += 1
            }
            let taken = Array(state.waiting.prefix(count))
            state.waiting.removeFirst(count)
            return taken
        }
        if !group.isEmpty {
            let results = apply(group.map(\.job))
            precondition(results.count == group.count, "a group must answer every job it took")
            groupsCommitted.add(1, ordering: .relaxed)
            for (waiting, result) in zip(group, results) { waiting.continuation.resume(with: result) }
        }
        let more = state.withLock { state -> Bool in
            state.scheduled = !state.waiting.isEmpty
            return state.scheduled
        }
        if more { BlockingWork.enqueueWrite { self.runGroup() } }
    }
}
