import Synchronization

/// Lets at most `width` tasks through at once; the others wait their turn, in order, holding no
/// thread and no database connection.
///
/// On PostgreSQL pushes serialise on one advisory lock, and a push waiting for it holds a
/// pooled connection: with more pushes than connections waiting, every connection is taken and
/// pulls wait for one, behind the lock after all. A gate two narrower than the pool keeps room for them.
final class AsyncGate: Sendable {
    private struct State {
        var inside = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let width: Int
    private let state = Mutex(State())

    init(width: Int) {
        precondition(width > 0)
        self.width = width
    }

    /// Runs `body` once fewer than `width` others are inside.
    func run<T>(_ body: () async throws -> T) async rethrows -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        await withCheckedContinuation { continuation in
            let admitted = state.withLock { state in
                if state.inside < width {
                    state.inside += 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    private func leave() {
        // The place is handed straight to the first waiter, so `inside` never drops and rises again.
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.inside -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
