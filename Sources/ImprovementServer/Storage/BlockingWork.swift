import Dispatch

/// Runs blocking database work on a dispatch queue, so SQLite I/O never occupies one of the few
/// threads of Swift's cooperative pool, which serve every request (two on a two-core machine).
enum BlockingWork {
    private static let queue = DispatchQueue(label: "improve.storage", attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
