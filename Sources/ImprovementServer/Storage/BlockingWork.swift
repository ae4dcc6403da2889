import Dispatch
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking database work, reads and writes apart, so reads never queue behind the writer.
///
/// SQLite has one writer: writes run, one after another, on a thread of their own, so however
/// many pushes wait for the writer they hold that one thread between them, and reads (WAL
/// readers, never blocked by the writer) never queue behind them. Pushes themselves wait in
/// `GroupedWrites`, which queues one job per group here.
///
/// The writer's thread runs at a lower CPU priority than the threads answering requests. On a
/// busy server the writer is the one thread with bulk work to do; at the same priority it took
/// its full share of the cores while a pull's few steps waited for theirs.
///
/// Reads go to a concurrent dispatch queue. On Linux its blocks run on dispatch's default-QoS
/// threads, which are also the threads of Swift's cooperative pool (a profile by thread id shows
/// the same two threads running both): the queue keeps reads from waiting for the writer, not off
/// those threads. Threads of their own for reads were measured slower under load (see README).
/// One read skips the queue: a pull `RecentChanges` answers takes tens of microseconds of
/// in-memory work, and `SQLiteSyncStorage` makes it on the request's own task.
enum BlockingWork {
    private static let reads = DispatchQueue(label: "improve.storage.read", attributes: .concurrent)

    /// The CPU priority the writer gives up: `nice` 10 leaves it about a tenth of the share of a
    /// request thread when both want a core, and all of an idle core.
    private static let writerNiceness: Int32 = 10

    private static let writer: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        pool.submit { _ in lowerThisThreadsPriority(by: writerNiceness) }
        return pool
    }()

    /// Runs `body`, which only reads, beside other reads and beside the writer.
    static func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            reads.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs `body`, which writes, after the writes queued before it.
    static func write<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueueWrite { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Queues `body` behind the writes queued before it, without waiting for it.
    static func enqueueWrite(_ body: @escaping @Sendable () -> Void) {
        // The pool is never shut down, so every job runs whatever state it is handed.
        writer.submit { _ in body() }
    }

    /// Raises the calling thread's `nice` value (Linux keeps one per thread); any process may
    /// lower its own priority, so this needs no privilege, and where it fails the writer simply
    /// keeps the default priority.
    private static func lowerThisThreadsPriority(by niceness: Int32) {
        #if os(Linux)
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        errno = 0
        let current = getpriority(which, 0)
        guard errno == 0 else { return }
        _ = setpriority(which, 0, current + niceness)
        #endif
    }
}
