import Dispatch

/// Runs blocking database work on dispatch queues, so SQLite I/O never occupies one of the few
/// threads of Swift's cooperative pool, which serve every request (two on a two-core machine).
///
/// Reads and writes have queues of their own. SQLite has one writer: writes queue on a serial
/// queue as closures, so however many pushes wait for the writer they hold one thread between
/// them, and the threads reads need (WAL readers, never blocked by the writer) stay free. Pushes
/// themselves wait in `GroupedWrites`, which queues one closure per group here.
enum BlockingWork {
    private static let reads = DispatchQueue(label: "improve.storage.read", attributes: .concurrent)
    private static let writes = DispatchQueue(label: "improve.storage.write")

    /// Runs `body`, which only reads, beside other reads and beside the writer.
    static func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(on: reads, body)
    }

    /// Runs `body`, which writes, after the writes queued before it.
    static func write<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(on: writes, body)
    }

    /// Queues `body` behind the writes queued before it, without waiting for it.
    static func enqueueWrite(_ body: @escaping @Sendable () -> Void) {
        writes.async(execute: body)
    }

    private static func run<T: Sendable>(
        on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T
    )
        async throws -> T
    {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
