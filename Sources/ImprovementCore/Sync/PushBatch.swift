import Synchronization

/// One push request body: the first changes of the pending queue that fit the byte bound
/// (always at least one, so a change larger than the bound is still tried, alone).
package struct PushBatch {
    /// The JSON body, `{"changes":[…],"replica":"…"}`.
    package let body: String
    /// The changes in the body, a prefix of the pending queue.
    package let changes: ArraySlice<RawLoggedChange>

    /// The body's size in bytes, as the server measures it.
    package var bytes: Int { body.utf8.count }

    package init(pending: [RawLoggedChange], replica: String, maxBytes: Int) {
        var closing = "],\"replica\":"
        CanonicalJSON.appendString(replica, to: &closing)
        closing += "}"
        var body = "{\"changes\":["
        body.reserveCapacity(min(maxBytes, pending.count * 400) + closing.utf8.count)
        var count = 0
        var piece = ""
        for change in pending {
            piece.removeAll(keepingCapacity: true)
            if count > 0 { piece += "," }
            change.appendJSON(to: &piece, includeSeq: false)
            if count > 0, body.utf8.count + piece.utf8.count + closing.utf8.count > maxBytes { break }
            body += piece
            count += 1
        }
        self.body = body + closing
        changes = pending.prefix(count)
    }
}

/// The push limits a client works with: what it was configured with, lowered for the rest of
/// the sync whenever the server answers that a batch was too large (`batch_too_large`,
/// `body_too_large`). Shared by copies of one `SyncClient`, so a retried sync keeps what it learned.
final class PushLimits: Sendable {
    private let learned = Mutex<(changes: Int, bytes: Int)>((Int.max, Int.max))

    /// The learned bounds (`Int.max` where the server has not said anything).
    var current: (changes: Int, bytes: Int) { learned.withLock { $0 } }

    /// After a refusal of `batch` as too large: at most the server's `limit` when it gave one
    /// below what was sent, else half of what was sent. Returns false when the batch was one
    /// change already and cannot be split.
    func lower(after code: String, limit: Int?, batch: PushBatch) -> Bool {
        guard batch.changes.count > 1 else { return false }
        if code == "batch_too_large" {
            let next = Self.smaller(than: batch.changes.count, limit: limit)
            learned.withLock { $0.changes = min($0.changes, next) }
        } else {
            let next = Self.smaller(than: batch.bytes, limit: limit)
            learned.withLock { $0.bytes = min($0.bytes, next) }
        }
        return true
    }

    private static func smaller(than sent: Int, limit: Int?) -> Int {
        if let limit, limit > 0, limit < sent { return limit }
        return max(1, sent / 2)
    }
}
