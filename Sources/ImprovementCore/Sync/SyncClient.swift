import Foundation

/// Speaks the sync protocol (Protocol/README.md) for one store: pushes its pending changes in
/// batches, marking them sent only when the server acknowledges them, then pulls pages of other
/// replicas' changes, applying each page and its cursor in one transaction. Interrupted at any
/// point, the next run resumes where this one stopped and duplicates nothing.
public struct SyncClient: Sendable {
    /// The server's base address (the endpoints' paths are added to it).
    public let server: URL
    private let token: String
    private let store: ImprovementStore
    private let transport: any SyncTransport
    /// Most changes sent in one push.
    public var pushBatchSize: Int
    /// Most bytes in one push body (a single change larger than this is still sent, alone).
    public var pushBatchBytes: Int
    /// Most changes asked for in one pull page.
    public var pullPageSize: Int
    /// Lowered for the rest of the sync when the server says a batch was too large.
    private let learnedLimits = PushLimits()

    /// The protocol version sent in every request's `Improve-Protocol` header.
    public static let protocolVersion = 1

    /// Half the server's default body limit (8 MiB, Protocol/README.md §11): room for the
    /// server's own measure of the body, and a batch a slow ward connection can finish.
    public static let defaultPushBatchBytes = 4 * 1024 * 1024

    /// A client of `store` for the server at `server`, signing in with `token` and speaking over `transport`.
    public init(
        server: URL, token: String, store: ImprovementStore, transport: any SyncTransport, pushBatchSize: Int = 2000,
        pushBatchBytes: Int = SyncClient.defaultPushBatchBytes, pullPageSize: Int = 5000
    ) {
        self.server = server
        self.transport = transport
        self.token = token
        self.store = store
        self.pushBatchSize = pushBatchSize
        self.pushBatchBytes = pushBatchBytes
        self.pullPageSize = pullPageSize
    }

    /// The batch bounds the next push uses: the configured ones, or smaller ones the server
    /// asked for earlier in this client's life.
    public var workingPushLimits: (changes: Int, bytes: Int) {
        let learned = learnedLimits.current
        return (max(1, min(pushBatchSize, learned.changes)), max(1, min(pushBatchBytes, learned.bytes)))
    }

    /// What one push or pull moved.
    public struct Progress: Sendable, Equatable {
        /// Changes the server accepted.
        public var pushed = 0
        /// Changes the server already had (sent before; nothing applied twice).
        public var duplicates = 0
        /// Changes received from other replicas.
        public var pulled = 0
        /// Of `pulled`: changes made by other replicas (the rest are this device's own, sent back).
        public var received = 0
        /// Conflicts the server found when merging the changes pushed.
        public var conflictsCreated = 0
        /// Pull pages received.
        public var pages = 0
        /// Changes the server refused that were set aside (see `ImprovementStore.heldChanges()`).
        public var held = 0
        /// Of `held`: changes too large for the server even on their own (`body_too_large`).
        public var heldTooLarge = 0
        /// The server's change log was not the one this device last synced with (restored from a
        /// backup): everything this device made was sent again and pulls started over.
        public var serverRestored = false
    }

    /// Most refused changes set aside in one push before giving up: a refusal of everything
    /// (a wrong account, say) should stop the sync rather than hold the whole queue.
    public static let maxHeldPerPush = 10

    /// Pushes then pulls. `report` is called after every batch and page.
    @discardableResult
    public func sync(report: @Sendable (Progress) -> Void = { _ in }) async throws(SyncError) -> Progress {
        let pushed = try await push(report: report)
        let pulled = try await pull(report: { report(pushed.merging($0)) })
        let total = pushed.merging(pulled)
        guard pulled.serverRestored && !pushed.serverRestored else { return total }
        // The pull found a restored server: this device's changes are pending again.
        return total.merging(try await push(report: { report(total.merging($0)) }))
    }

    /// Sends every pending change, oldest first, in batches bounded by count and bytes. When the
    /// server answers that a batch is too large, the batch is halved (or cut to the limit the
    /// server names) and sent again, down to one change; one change the server will not take
    /// even alone is held (see `ImprovementStore.heldChanges()`) and the rest go on.
    @discardableResult
    public func push(report: @Sendable (Progress) -> Void = { _ in }) async throws(SyncError) -> Progress {
        var progress = Progress()
        while true {
            let limits = workingPushLimits
            // The log holds canonical JSON already: send it as it is, without decoding it.
            let pending: [RawLoggedChange]
            do {
                pending = try store.rawChanges(after: 0, limit: limits.changes, sites: nil, pendingOnly: true).changes
            } catch {
                throw .badResponse("the device store could not be read: \(error)")
            }
            guard !pending.isEmpty else { return progress }
            let batch = PushBatch(pending: pending, replica: store.replica, maxBytes: limits.bytes)
            let answer: JSONValue
            do {
                answer = try await send("POST", path: "/v1/push", body: Data(batch.body.utf8))
            } catch .changeRefused(let id, let code, let message) {
                // Set the refused change aside (it stays in the log) and send the rest.
                try hold(id: id, code: code, reason: message, progress: &progress) {
                    code == "forbidden" ? .forbidden(message) : .refused(code: code, message: message)
                }
                report(progress)
                continue
            } catch .pushTooLarge(let code, let limit, let message) {
                if learnedLimits.lower(after: code, limit: limit, batch: batch) { continue }
                guard code == "body_too_large", let change = batch.changes.first else {
                    throw .pushTooLarge(code: code, limit: limit, message: message)
                }
                try hold(
                    id: change.id, code: code,
                    reason: Self.tooLargeReason(change: change.id, bytes: batch.bytes, limit: limit),
                    progress: &progress
                ) { .pushTooLarge(code: code, limit: limit, message: message) }
                progress.heldTooLarge += 1
                report(progress)
                continue
            }
            guard case .object(let object) = answer else { throw .badResponse("the push answer is not an object") }
            do {
                try store.markPushed(through: batch.changes[batch.changes.endIndex - 1].seq)
            } catch {
                throw .badResponse("the device store could not be updated: \(error)")
            }
            progress.pushed += Self.int(object["accepted"])
            progress.duplicates += Self.int(object["duplicates"])
            progress.conflictsCreated += Self.int(object["conflicts"])
            if case .string(let log)? = object["log"], try noteServerLog(log, restartedBefore: progress.serverRestored)
            {
                // Everything this device made is pending again: the loop sends it from the start.
                progress.serverRestored = true
            }
            report(progress)
        }
    }

    /// Sets one change aside after the server refused it; past `maxHeldPerPush` (or when the
    /// store cannot note it) the sync stops with `stop()` instead.
    private func hold(
        id: String, code: String, reason: String, progress: inout Progress, stop: () -> SyncError
    ) throws(SyncError) {
        guard progress.held < Self.maxHeldPerPush, (try? store.holdChange(id: id, code: code, reason: reason)) != nil
        else { throw stop() }
        progress.held += 1
    }

    /// Why a change the server will not take even on its own was held, naming the limit.
    static func tooLargeReason(change: String, bytes: Int, limit: Int?) -> String {
        let limitText = limit.map { "the server's limit of \($0) bytes per push" } ?? "the server's limit per push"
        return "This change is too large for the server: sent on its own it takes \(bytes) bytes, more than "
            + "\(limitText) (body_too_large). It is kept on this device. Shorten its text and record it again, "
            + "or ask whoever runs the server to raise --max-body-bytes, then run improve held release \(change)."
    }

    /// Notes the server's change-log id; true when it changed (the store then counts every own
    /// change unsent and pulls from the start). A second change in one push or pull means the
    /// address leads to servers with different databases, which no resending can fix.
    private func noteServerLog(_ log: String, restartedBefore: Bool) throws(SyncError) -> Bool {
        let changed: Bool
        do {
            changed = try store.noteServerLog(log)
        } catch {
            throw .badResponse("the device store could not be updated: \(error)")
        }
        if changed && restartedBefore {
            throw .badResponse(
                "the server's change log changed twice in one sync; the server address may lead to "
                    + "several servers that do not share one database")
        }
        return changed
    }

    /// Pulls pages until the server has no more, applying each page with its cursor atomically.
    ///
    /// With `wait` (1 to 60 seconds, a live pull: Protocol/README.md §8.4), the first request is
    /// held by the server until a change this account may see commits, or for `wait` seconds
    /// when none does (the result is then an empty page).
    @discardableResult
    public func pull(
        wait: Int? = nil, report: @Sendable (Progress) -> Void = { _ in }
    ) async throws(SyncError)
        -> Progress
    {
        var progress = Progress()
        let start: Int64
        do {
            start = try store.pullCursor()
        } catch {
            throw .badResponse("the device store could not be read: \(error)")
        }
        var page = try await fetchPage(after: start, wait: wait)
        while true {
            if let log = page.log, try noteServerLog(log, restartedBefore: progress.serverRestored) {
                // Not the log this device pulled from before: start again from its beginning.
                progress.serverRestored = true
                page = try await fetchPage(after: 0)
                continue
            }
            // The next page is fetched and decoded while this one is applied, so the network and
            // the database work overlap; only applied pages move the stored cursor.
            let cursor = Int64(page.cursor)
            let hasMore = page.hasMore
            async let following = nextPage(after: cursor, if: hasMore)
            do {
                try store.applyPulled(page.changes, cursor: cursor)
            } catch {
                throw .badResponse("a pulled change could not be applied: \(error)")
            }
            progress.pulled += page.changes.count
            progress.received += page.changes.count(where: { $0.replica != store.replica })
            progress.pages += 1
            report(progress)
            guard let next = await following else { return progress }
            page = try next.get()
        }
    }

    /// One decoded pull answer.
    private typealias Page = (changes: [Change], cursor: Double, hasMore: Bool, log: String?)

    private func fetchPage(after cursor: Int64, wait: Int? = nil) async throws(SyncError) -> Page {
        let waiting = wait.map { "&wait=\($0)" } ?? ""
        let data = try await exchange(
            "GET", path: "/v1/pull?after=\(cursor)&limit=\(pullPageSize)" + waiting, body: nil)
        return try Self.page(data)
    }

    /// The page after `cursor` when there is one, with its error as a value (for `async let`).
    private func nextPage(after cursor: Int64, if hasMore: Bool) async -> Result<Page, SyncError>? {
        guard hasMore else { return nil }
        do {
            return .success(try await fetchPage(after: cursor))
        } catch {
            return .failure(error)
        }
    }

    /// Reads a pull answer: directly when it is well formed, else with the general parser, which says what is wrong.
    private static func page(_ data: Data) throws(SyncError) -> Page {
        if let page = JSONParser.decodePull(data, maxDepth: 16) { return page }
        let answer: JSONValue
        do {
            answer = try JSONParser.parse(data, maxDepth: 16)
        } catch {
            throw .badResponse("HTTP 200 with a body that is not JSON")
        }
        guard case .object(let object) = answer, case .array(let rawChanges)? = object["changes"],
            case .number(let next)? = object["cursor"], case .bool(let hasMore)? = object["hasMore"]
        else { throw .badResponse("the pull answer lacks changes, cursor or hasMore") }
        var changes: [Change] = []
        changes.reserveCapacity(rawChanges.count)
        for (index, raw) in rawChanges.enumerated() {
            do {
                changes.append(try ChangeWire.change(from: raw, path: "changes[\(index)]", allowSeq: true).change)
            } catch {
                throw .badResponse(error.description)
            }
        }
        var log: String?
        if case .string(let text)? = object["log"] { log = text }
        return (changes, next, hasMore, log)
    }

    private func send(_ method: String, path: String, body: Data?) async throws(SyncError) -> JSONValue {
        let data = try await exchange(method, path: path, body: body)
        do {
            return try JSONParser.parse(data, maxDepth: 16)
        } catch {
            throw .badResponse("HTTP 200 with a body that is not JSON")
        }
    }

    /// Sends a request and returns the body of a 200 answer; any other answer becomes its error.
    private func exchange(_ method: String, path: String, body: Data?) async throws(SyncError) -> Data {
        guard let url = URL(string: server.absoluteString.trimmingSuffix("/") + path) else {
            throw .network("the server address \(server) is not a URL")
        }
        var headers = [
            ("Improve-Protocol", String(Self.protocolVersion)), ("Authorization", "Bearer \(token)"),
            ("User-Agent", ImproveVersion.userAgent),
        ]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let answer: SyncResponse
        do {
            answer = try await transport.send(SyncRequest(method: method, url: url, headers: headers, body: body))
        } catch {
            throw .network(transport.describe(error))
        }
        let (status, data) = (answer.status, answer.body)
        guard status != 200 else { return data }
        if (300..<400).contains(status) {
            // Often a proxy sending http:// to https://: the device should be pointed there itself.
            let target = answer.location.map { "to \($0)" } ?? "elsewhere"
            throw .refused(
                code: "redirect",
                message:
                    "The server address answers with a redirect \(target). Set the server address to where it points.")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(data, maxDepth: 16)
        } catch {
            // A proxy in front of the server may refuse a large body in its own words.
            if status == 413 { throw .pushTooLarge(code: "body_too_large", limit: nil, message: "") }
            if status >= 500 { throw .server(status: status, message: "") }
            throw .badResponse("HTTP \(status) with a body that is not JSON")
        }
        var code = ""
        var message = ""
        var serverMillis: Int64?
        var refusedChange: String?
        var limit: Int?
        if case .object(let object) = document {
            if case .string(let text)? = object["code"] { code = text }
            if case .string(let text)? = object["message"] { message = text }
            if case .number(let millis)? = object["serverTimeMillis"] { serverMillis = Int64(millis) }
            if case .string(let id)? = object["change"] { refusedChange = id }
            if case .number(let number)? = object["limit"], number >= 1, number < 1e15 { limit = Int(number) }
        }
        if let refusedChange, code == "forbidden" || code == "invalid_change" {
            throw .changeRefused(id: refusedChange, code: code, message: message)
        }
        if code == "batch_too_large" || code == "body_too_large" || status == 413 {
            throw .pushTooLarge(
                code: code == "batch_too_large" ? code : "body_too_large", limit: limit, message: message)
        }
        switch (status, code) {
        case (401, _): throw .unauthorized(message)
        case (403, _): throw .forbidden(message)
        case (_, "unsupported_protocol"): throw .unsupportedProtocol(message)
        case (_, "clock_skew"): throw .clockSkew(message: message, serverMillis: serverMillis)
        // The upload was cut short on its way (a proxy may still pass the answer on): a network
        // failure, retried like one, never a refusal of the changes.
        case (_, "incomplete_body"): throw .network(message)
        case (500..., _): throw .server(status: status, message: message)
        default: throw .refused(code: code.isEmpty ? "http_\(status)" : code, message: message)
        }
    }

    private static func int(_ value: JSONValue?) -> Int {
        if case .number(let number)? = value { return Int(number) }
        return 0
    }
}

extension SyncClient.Progress {
    func merging(_ other: Self) -> Self {
        Self(
            pushed: pushed + other.pushed, duplicates: duplicates + other.duplicates, pulled: pulled + other.pulled,
            received: received + other.received,
            conflictsCreated: conflictsCreated + other.conflictsCreated, pages: pages + other.pages,
            held: held + other.held, heldTooLarge: heldTooLarge + other.heldTooLarge,
            serverRestored: serverRestored || other.serverRestored)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
