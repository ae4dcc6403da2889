import HTTPTypes
import Hummingbird
import ImprovementCore
import Logging
import NIOCore
import ServiceLifecycle

/// The sync endpoints: push and pull, with their guards.
struct SyncRoutes: Sendable {
    let storage: any SyncStorage
    let configuration: ServerConfiguration
    let metrics: ServerMetrics

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/push") { request, context in try await push(request, context: context) }
        router.get("/v1/pull") { request, context in try await pull(request, context: context) }
        router.get("/v1/account") { request, _ in try await account(request) }
    }

    // MARK: - Account

    /// Who the token belongs to, its role and its sites, so a device can refuse at once what the
    /// server would refuse at the next push (Protocol/README.md section 8.6).
    func account(_ request: Request) async throws -> Response {
        let account = try await authenticate(request)
        var out = "{\"role\":" + JSONText.string(account.role.rawValue) + ",\"sites\":["
        for (index, site) in account.sites.sorted().enumerated() {
            if index > 0 { out += "," }
            out += JSONText.string(site)
        }
        return json(out + "],\"user\":" + JSONText.string(account.name) + "}")
    }

    // MARK: - Guards shared by both endpoints

    static var protocolHeader: HTTPField.Name { HTTPField.Name("Improve-Protocol")! }

    /// The protocol version header, then the bearer token; returns the caller's account.
    func authenticate(_ request: Request) async throws -> Account {
        guard let account = try await storage.account(tokenHash: try tokenHash(request)), !account.revoked else {
            throw APIError.unauthorized
        }
        return account
    }

    /// The protocol version header, then the bearer token's form; returns the token's hash, by
    /// which storage knows it.
    func tokenHash(_ request: Request) throws -> String {
        let version = request.headers[Self.protocolHeader]
        guard let version, let number = Int(version), ServerConfiguration.supportedProtocols.contains(number) else {
            throw APIError.unsupportedProtocol(version)
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError.unauthorized
        }
        let token = String(header.dropFirst("Bearer ".count))
        guard AccessToken.isWellFormed(token) else { throw APIError.unauthorized }
        return AccessToken.hash(token)
    }

    // MARK: - Push

    func push(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let account = try await authenticate(request)
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            // Read what the device is sending before answering, so it sees the answer (and the limit)
            // rather than a connection reset; past the bound the connection is closed regardless.
            await RequestBodyLimits.discard(request.body)
            metrics.recordBodyError(code: "body_too_large")
            throw bodyTooLarge(limit).closingConnection()
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            metrics.recordBodyError(code: "body_too_large")
            throw bodyTooLarge(limit).closingConnection()
        } catch {
            // The connection ended (or failed) before Content-Length bytes arrived: a network cut,
            // not a body too large, so the answer must not tell anyone to raise the limit.
            metrics.recordBodyError(code: "incomplete_body")
            throw RequestBodyLimits.incompleteBody
        }
        let (replica, changes) = try decodePush(body)
        // Checks run in the order Protocol/README.md §7.3 gives, and the first failure answers.
        for change in changes {
            do {
                try ChangeRules.check(change)
            } catch {
                throw APIError.invalidChange(error.description).about(changeID: change.id, in: changes)
            }
        }
        let now = configuration.clock.nowMillis()
        if let ahead = changes.max(by: { $0.hlc < $1.hlc }), ahead.hlc.millis > now + configuration.maxClockAheadMillis
        {
            let minutes = max(1, Int((Double(ahead.hlc.millis - now) / 60_000).rounded()))
            throw APIError(
                status: .unprocessableContent, code: "clock_skew",
                message:
                    "This device's clock is ahead of the server by about \(minutes) minute\(minutes == 1 ? "" : "s"). "
                    + "Set the date and time correctly; your changes are kept on the device and will be sent once the "
                    + "clock is right.",
                extra: [
                    ("serverTime", JSONText.string(JSONText.timestamp(millis: now))), ("serverTimeMillis", String(now)),
                ])
        }
        if let foreign = changes.first(where: { $0.replica != replica }) {
            throw APIError.forbidden(
                "Change \(foreign.id) was made by replica \(foreign.replica) but sent by replica \(replica): a device "
                    + "pushes its own changes only. Nothing in the batch was applied."
            ).about(changeID: foreign.id, in: changes)
        }
        let outcome: PushOutcome
        do {
            outcome = try await storage.push(changes, by: account)
        } catch let error as SyncStorageError {
            switch error {
            case .forbidden(let changeID, let message):
                throw APIError.forbidden(message).about(changeID: changeID, in: changes)
            case .accountExists(let name): throw APIError.badRequest("account \(name) exists")
            }
        } catch let error as StoreError {
            if case .invalidChange(let id, _) = error {
                throw APIError.invalidChange(error.description).about(changeID: id, in: changes)
            }
            throw error
        }
        metrics.record(outcome)
        let log = outcome.log
        let time = configuration.clock.nowMillis()
        return json(
            "{\"accepted\":\(outcome.accepted),\"conflicts\":\(outcome.conflicts),\"cursor\":\(outcome.cursor),"
                + "\"duplicates\":\(outcome.duplicates),\"log\":\(JSONText.string(log)),\"serverTime\":\(JSONText.string(JSONText.timestamp(millis: time))),"
                + "\"serverTimeMillis\":\(time)}")
    }

    func bodyTooLarge(_ limit: Int) -> APIError {
        APIError(
            status: .contentTooLarge, code: "body_too_large",
            message: "The request body is larger than the limit of \(limit) bytes. Send fewer changes per push.",
            extra: [("limit", String(limit))])
    }

    /// Strictly reads `{"replica": "...", "changes": [...]}`.
    func decodePush(_ body: ByteBuffer) throws -> (String, [Change]) {
        // A well-formed body is read directly; anything the fast decoder will not vouch for goes
        // through the general parser below, which names what is wrong.
        if let (replica, changes) = JSONParser.decodePush(body.readableBytesView), ReplicaID.isValid(replica),
            !changes.isEmpty, changes.count <= configuration.maxBatchSize
        {
            return (replica, changes)
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(body.readableBytesView)
        } catch {
            throw APIError.badRequest("The body is not valid JSON (\(error)).")
        }
        guard case .object(let object) = document else {
            throw APIError.badRequest("The body must be a JSON object with \"replica\" and \"changes\".")
        }
        for key in object.keys where key != "replica" && key != "changes" {
            throw APIError.badRequest("\(key): is not a field of a push request (expected replica and changes).")
        }
        guard case .string(let replica)? = object["replica"] else {
            throw APIError.badRequest("replica: is required and must be a string.")
        }
        guard ReplicaID.isValid(replica) else {
            throw APIError.badRequest("replica: must be 1-64 characters of a-z, 0-9 and -.")
        }
        guard case .array(let rawChanges)? = object["changes"] else {
            throw APIError.badRequest("changes: is required and must be an array.")
        }
        guard !rawChanges.isEmpty else { throw APIError.badRequest("changes: must hold at least one change.") }
        guard rawChanges.count <= configuration.maxBatchSize else {
            throw APIError(
                status: .badRequest, code: "batch_too_large",
                message:
                    "A push may carry at most \(configuration.maxBatchSize) changes; this one has \(rawChanges.count). "
                    + "Send them in smaller batches.",
                extra: [("limit", String(configuration.maxBatchSize))])
        }
        var changes: [Change] = []
        changes.reserveCapacity(rawChanges.count)
        for (index, raw) in rawChanges.enumerated() {
            do {
                changes.append(try ChangeWire.change(from: raw, path: "changes[\(index)]").change)
            } catch {
                throw APIError.badRequest(error.description)
            }
        }
        return (replica, changes)
    }

    // MARK: - Pull

    func pull(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let tokenHash = try tokenHash(request)
        let query: PullQuery
        do {
            query = try PullQuery(request.uri.queryParameters, maxLimit: configuration.maxPullLimit)
        } catch {
            // A caller without a live token is told so before anything about its parameters.
            _ = try await authenticate(request)
            throw error
        }
        // The token and the first page in one read.
        guard var (account, page) = try await storage.pull(after: query.after, limit: query.limit, tokenHash: tokenHash)
        else { throw APIError.unauthorized }
        if page.changes.isEmpty && query.wait > 0 {
            page = try await livePull(
                tokenHash: tokenHash, account: &account, after: query.after, limit: query.limit,
                until: .now + .seconds(query.wait))
        }
        let time = configuration.clock.nowMillis()
        var tail = ",\"cursor\":\(page.cursor),\"hasMore\":\(page.hasMore),\"log\":\(JSONText.string(page.log)),"
        tail += "\"serverTime\":\(JSONText.string(JSONText.timestamp(millis: time))),\"serverTimeMillis\":\(time)}"
        var body = ByteBuffer()
        body.reserveCapacity(page.changesAndConflictsJSON.count + tail.utf8.count)
        body.writeBytes(page.changesAndConflictsJSON)
        body.writeString(tail)
        return json(body)
    }
}

extension SyncRoutes {
    /// Holds a pull that found nothing new until a change the account may see commits, then reads
    /// again; answers an empty page at `deadline` (after one last read), or at once on graceful
    /// shutdown. Each wake reads from the cursor, whatever woke it, so a lost notification costs
    /// at most the wait and never a change. The token is checked again after each wake: a token
    /// withdrawn meanwhile is refused (401) before anything more is read.
    func livePull(
        tokenHash: String, account: inout Account, after: Int64, limit: Int, until deadline: ContinuousClock.Instant
    ) async throws -> PullPage {
        let commits = storage.commits
        while true {
            // Armed before the read: a commit between the read and the wait still wakes it.
            let ticket = commits.arm(for: account.visibleSites)
            defer { commits.disarm(ticket) }
            // And the token checked once armed: a withdrawal before arming is seen here, one after
            // wakes the wait (withdrawals notify every waiter).
            guard let (current, page) = try await storage.pull(after: after, limit: limit, tokenHash: tokenHash) else {
                throw APIError.unauthorized
            }
            account = current
            if !page.changes.isEmpty || ContinuousClock.now >= deadline || Task.isShuttingDownGracefully
                || Task.isCancelled
            {
                return page
            }
            metrics.livePullWaiting(1)
            await withGracefulShutdownHandler {
                await commits.wait(ticket, until: deadline)
            } onGracefulShutdown: {
                commits.release(ticket)
            }
            metrics.livePullWaiting(-1)
        }
    }
}

func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
    json(ByteBuffer(string: text), status: status)
}

func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
}
