import Synchronization

/// The latest `SyncStatus` and everyone watching it. Updated synchronously from any context
/// (the sync client reports progress from outside the engine's actor), so watchers see every
/// change in the order it happened.
final class SyncStatusBroadcast: Sendable {
    private struct Watchers {
        var status: SyncStatus
        var continuations: [Int: AsyncStream<SyncStatus>.Continuation] = [:]
        var nextID = 0
    }

    private let watchers: Mutex<Watchers>

    init(_ initial: SyncStatus) {
        watchers = Mutex(Watchers(status: initial))
    }

    var current: SyncStatus { watchers.withLock { $0.status } }

    /// A stream that starts with the current status and then yields each change. A watcher that
    /// falls behind keeps the newest statuses only.
    func stream() -> AsyncStream<SyncStatus> {
        let (stream, continuation) = AsyncStream.makeStream(of: SyncStatus.self, bufferingPolicy: .bufferingNewest(256))
        let id = watchers.withLock { watchers in
            let id = watchers.nextID
            watchers.nextID += 1
            watchers.continuations[id] = continuation
            continuation.yield(watchers.status)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.watchers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// Changes the status and tells every watcher, unless nothing changed.
    func update(_ change: (inout SyncStatus) -> Void) {
        watchers.withLock { watchers in
            var status = watchers.status
            change(&status)
            guard status != watchers.status else { return }
            watchers.status = status
            for continuation in watchers.continuations.values { continuation.yield(status) }
        }
    }
}
