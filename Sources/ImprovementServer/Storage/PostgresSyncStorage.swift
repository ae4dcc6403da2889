import Foundation
import ImprovementCore
import Logging
import PostgresNIO
import ServiceLifecycle

/// The storage for several server processes sharing one PostgreSQL database.
///
/// The servers are stateless; everything lives in the database. Records are merged with the same
/// rule as the embedded store (`PushMerge`), in one transaction per push.
///
/// The sequence/commit-order race: a pull reads `seq > cursor`, so a change must never become
/// visible after a change with a higher sequence number, or a pull in between would skip it.
/// Each push therefore takes one transaction-scoped advisory lock before it picks its numbers
/// and holds it until commit: pushes commit one at a time in sequence order, across every
/// connection and process. (Serialising pushes costs little: the merge of records touched by two
/// concurrent batches needs them ordered anyway.)
package final class PostgresSyncStorage: SyncStorage, Service {
    /// Held by a push from choosing its sequence numbers until it commits.
    static let pushLock: Int64 = 0x696D_7072_6F76_6502

    /// The LISTEN/NOTIFY channel on which pushes announce the sites they committed.
    static let commitChannel = "improve_commits"

    let client: PostgresClient
    let location: PostgresLocation
    package let commits: CommitSignal
    /// The task running the pool when `connect` started it; nil when `run()` is left to a ServiceGroup.
    private let runner: Task<Void, Never>?
    private let logger: Logger
    /// Runs inside every push transaction just before it commits; tests use it to hold a
    /// transaction open and show that no pull skips past it.
    private let beforeCommit: (@Sendable () async throws -> Void)?
    /// Lets pushes hold all but two of the pool's connections in this process (one holds the push
    /// lock, the others wait for it); more wait here, so two connections are always left to
    /// pulls. (A gate half the pool wide, or two wide, added waits of its own to a push's p99.)
    private let pushGate: AsyncGate

    private init(
        client: PostgresClient, maximumConnections: Int, runner: Task<Void, Never>?, location: PostgresLocation,
        logger: Logger, beforeCommit: (@Sendable () async throws -> Void)?, commits: CommitSignal = CommitSignal()
    ) {
        pushGate = AsyncGate(width: max(1, maximumConnections - 2))
        self.commits = commits
        self.client = client
        self.runner = runner
        self.location = location
        self.logger = logger
        self.beforeCommit = beforeCommit
    }

    /// Connects, checks the database answers and migrates its schema; the connection pool opens
    /// when `run()` runs, normally as a service of the server's `ServiceGroup`, started before the
    /// HTTP server so that it shuts down after it.
    package static func open(
        _ location: PostgresLocation, maximumConnections: Int = 10, logger: Logger = Logger(label: "improve.postgres"),
        beforeCommit: (@Sendable () async throws -> Void)? = nil
    ) async throws -> PostgresSyncStorage {
        try await migrate(location, logger: logger)
        return PostgresSyncStorage(
            client: makeClient(location, maximumConnections: maximumConnections, logger: logger),
            maximumConnections: maximumConnections, runner: nil, location: location, logger: logger,
            beforeCommit: beforeCommit)
    }

    /// Like `open`, then runs the pool in a task of its own until `shutdown()`: for benchmarks and
    /// tests that have no `ServiceGroup`. Do not call `run()` on the storage this returns.
    package static func connect(
        _ location: PostgresLocation, maximumConnections: Int = 10, logger: Logger = Logger(label: "improve.postgres"),
        beforeCommit: (@Sendable () async throws -> Void)? = nil
    ) async throws -> PostgresSyncStorage {
        try await migrate(location, logger: logger)
        let client = makeClient(location, maximumConnections: maximumConnections, logger: logger)
        // Returns once the task runs, so the first query finds the pool started (PostgresNIO
        // warns about a lease before `run()`).
        let (started, running) = AsyncStream<Void>.makeStream()
        let commits = CommitSignal()
        let runner = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await Self.listen(location, commits: commits, logger: logger) }
                running.finish()
                await client.run()
            }
        }
        for await _ in started {}
        return PostgresSyncStorage(
            client: client, maximumConnections: maximumConnections, runner: runner, location: location, logger: logger,
            beforeCommit: beforeCommit, commits: commits)
    }

    /// Runs the connection pool, and a connection listening for commits made through other
    /// server processes: queries are answered only while this runs. Returns when the task is
    /// cancelled or on graceful shutdown, closing every connection.
    package func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    await Self.listen(self.location, commits: self.commits, logger: self.logger)
                }
            }
        }
    }

    /// Wakes `commits` for every commit announced on `commitChannel`, on a connection of its own,
    /// until cancelled. A lost connection is made again after a second; since announcements may
    /// have been missed meanwhile, every waiter is woken then to read again.
    private static func listen(_ location: PostgresLocation, commits: CommitSignal, logger: Logger) async {
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try location.connectionConfiguration(), id: 1, logger: logger)
                do {
                    try await connection.listen(on: commitChannel) { notifications in
                        commits.notify(.everything)
                        for try await notification in notifications {
                            commits.notify(committed(payload: notification.payload))
                        }
                    }
                } catch {
                    if !Task.isCancelled {
                        logger.warning("listening for commits failed", metadata: ["error": "\(describe(error))"])
                    }
                }
                try? await connection.close()
            } catch {
                logger.warning("cannot listen for commits", metadata: ["error": "\(describe(error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// A push's announcement: its sites one per line, an empty line for changes of no site; an
    /// empty payload (too many sites to name) stands for everything.
    static func payload(sites: Set<String?>) -> String {
        let text = sites.map { $0 ?? "" }.sorted().joined(separator: "\n")
        // NOTIFY payloads are limited to 8000 bytes.
        return text.utf8.count > 7000 || text.isEmpty ? "" : text
    }

    static func committed(payload: String) -> CommitSignal.Committed {
        guard !payload.isEmpty else { return .everything }
        return .sites(
            Set(payload.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? nil : String($0) }))
    }

    /// Closes the connection pool `connect` started.
    package func shutdown() {
        runner?.cancel()
    }

    deinit { runner?.cancel() }

    private static func makeClient(
        _ location: PostgresLocation, maximumConnections: Int, logger: Logger
    )
        -> PostgresClient
    {
        PostgresClient(
            configuration: location.clientConfiguration(maximumConnections: maximumConnections),
            backgroundLogger: logger)
    }

    /// One connection of its own checks the database answers and brings its schema up to date.
    private static func migrate(_ location: PostgresLocation, logger: Logger) async throws {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            do {
                try await PostgresSchema.migrate(connection, logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        } catch let error as StorageOpenError {
            throw error
        } catch {
            throw StorageOpenError.unreachable(location.description, reason: Self.describe(error))
        }
    }

    /// What an operator can act on, without query text or bound values.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
        if let error = error as? StorageOpenError { return error.description }
        return "\(error)"
    }

    // MARK: - Push

    package func push(_ changes: [Change], by account: Account) async throws -> PushOutcome {
        // Encoding happens before the transaction, so the lock is held for database work only.
        let changes = changes.map { change in
            var encoded = change
            encoded.keepCanonicalText()
            return encoded
        }
        let sites = Set(changes.map(\.site))
        let outcome = try await pushGate.run {
            try await client.withConnection { connection in
                try await PostgresTransaction.run(on: connection, logger: logger) { connection in
                    // The lock and the log id in one round trip: the lock is held for database work only.
                    var log: String?
                    for try await id in try await connection.query(
                        """
                        SELECT m.value FROM pg_advisory_xact_lock(\(Self.pushLock)) AS lock, sync_meta m
                        WHERE m.key = 'log'
                        """, logger: logger
                    ).decode(String.self) {
                        log = id
                    }
                    guard let log else { throw Self.noLogID }
                    let outcome = try await Self.push(
                        changes, by: account, log: log, announcing: Self.payload(sites: sites), on: connection,
                        logger: logger)
                    try await beforeCommit?()
                    return outcome
                }
            }
        }
        // This process's own waiters need not wait for the round trip of the announcement.
        if outcome.accepted > 0 { commits.notify(.sites(sites)) }
        return outcome
    }

    /// Merges `changes` inside the push lock; when any is new, announces the commit to every
    /// listening server process with `payload` (delivered when, and only if, the push commits).
    private static func push(
        _ changes: [Change], by account: Account, log: String, announcing payload: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> PushOutcome {
        // The changes already held and the log's last sequence number, in one round trip.
        var existing: Set<String> = []
        var last: Int64 = 0
        for try await (id, sequence) in try await connection.query(
            """
            SELECT id, NULL::int8 FROM sync_change WHERE id = ANY(\(changes.map(\.id)))
            UNION ALL SELECT NULL, COALESCE(MAX(seq), 0)::int8 FROM sync_change
            """, logger: logger
        ).decode((String?, Int64?).self) {
            if let id { existing.insert(id) }
            if let sequence { last = sequence }
        }
        let keys = PushMerge.keys(of: changes)
        var stored: [PushMerge.Key: PushMerge.StoredRecord] = [:]
        let rows = try await connection.query(
            """
            SELECT r.type, r.entity, r.site, r.vals, r.versions, r.conflicted FROM sync_record r
            JOIN unnest(\(keys.map(\.type))::text[], \(keys.map(\.entity))::text[]) AS k(type, entity)
                ON r.type = k.type AND r.entity = k.entity
            """, logger: logger)
        for try await (type, entity, site, values, versions, conflicted) in rows.decode(
            (String, String, String?, String, String, Bool).self)
        {
            stored[PushMerge.Key(type: type, entity: entity)] = PushMerge.StoredRecord(
                site: site, valuesJSON: values, versionsJSON: versions, conflicted: conflicted)
        }
        // A resolution and the values it restores are accepted together (DecisionGroup).
        let inBatch = DecisionGroup.carried(by: changes)
        var accepted: Set<String> = []
        let named = DecisionGroup.namedOutsideBatch(changes)
        if !named.isEmpty {
            for try await id in try await connection.query(
                "SELECT DISTINCT entity FROM sync_change WHERE type = 'resolution' AND entity = ANY(\(Array(named)))",
                logger: logger
            ).decode(String.self) {
                accepted.insert(id)
            }
        }
        let merge = try PushMerge(changes: changes, existingIDs: existing, stored: stored) { change, storedSite in
            try PushPermissions.check(change, account: account, storedSite: storedSite)
            if let refusal = DecisionGroup.refusal(of: change, in: inBatch, accepted: accepted) {
                throw SyncStorageError.forbidden(changeID: change.id, message: refusal)
            }
        }
        guard !merge.fresh.isEmpty else {
            return PushOutcome(accepted: 0, duplicates: merge.duplicates, conflicts: 0, cursor: last, log: log)
        }

        let derived = Array(merge.needsDerivation)
        var histories: [PushMerge.Key: [PushMerge.LoggedWrite]] = [:]
        var previousConflicts: Set<String> = []
        if !derived.isEmpty {
            let history = try await connection.query(
                """
                SELECT c.type, c.entity, c.id, c.hlc, c.author, c.fields, c.base FROM sync_change c
                JOIN unnest(\(derived.map(\.type))::text[], \(derived.map(\.entity))::text[]) AS k(type, entity)
                    ON c.type = k.type AND c.entity = k.entity
                """, logger: logger)
            for try await (type, entity, id, hlc, author, fields, base) in history.decode(
                (String, String, String, String, String, String, String).self)
            {
                histories[PushMerge.Key(type: type, entity: entity), default: []].append(
                    PushMerge.LoggedWrite(id: id, hlc: hlc, author: author, fieldsJSON: fields, baseJSON: base))
            }
            for try await id in try await connection.query(
                """
                DELETE FROM sync_conflict c
                USING unnest(\(derived.map(\.type))::text[], \(derived.map(\.entity))::text[]) AS k(type, entity)
                WHERE c.type = k.type AND c.entity = k.entity
                RETURNING c.id
                """, logger: logger
            ).decode(String.self) {
                previousConflicts.insert(id)
            }
        }
        let outcome = try merge.finish(histories: histories)

        let conflicts = outcome.conflicts.values.flatMap { $0 }
        try await write(
            merge.fresh, after: last, records: outcome.records, conflicts: conflicts, announcing: payload,
            on: connection, logger: logger)
        return PushOutcome(
            accepted: merge.fresh.count, duplicates: merge.duplicates,
            conflicts: conflicts.filter { !previousConflicts.contains($0.id) }.count,
            cursor: last + Int64(merge.fresh.count), log: log)
    }

    /// Logs the batch's new changes with the sequence numbers after `last` (in batch order), saves
    /// the records and conflicts they leave, and announces the commit, in one statement: the push
    /// lock is held across every round trip of a push, and these were up to four of them.
    private static func write(
        _ changes: [Change], after last: Int64, records: [(key: PushMerge.Key, record: PushMerge.StoredRecord)],
        conflicts: [Conflict], announcing payload: String, on connection: PostgresConnection, logger: Logger
    ) async throws {
        var columns = (
            seq: [Int64](), id: [String](), replica: [String](), type: [String](), entity: [String](),
            site: [String](), hlc: [String](), author: [String](), fields: [String](), base: [String]()
        )
        for (offset, change) in changes.enumerated() {
            columns.seq.append(last + 1 + Int64(offset))
            columns.id.append(change.id)
            columns.replica.append(change.replica)
            columns.type.append(change.type)
            columns.entity.append(change.entity)
            // Arrays cannot hold NULL here; no site id is empty, so "" stands for none.
            columns.site.append(change.site ?? "")
            columns.hlc.append(change.hlc.description)
            columns.author.append(change.author)
            columns.fields.append(change.fieldsJSON)
            columns.base.append(change.baseJSON)
        }
        // Each part of a WITH runs once, whether or not the final SELECT reads it; they touch
        // different tables, so sharing one snapshot changes nothing.
        try await connection.query(
            """
            WITH logged AS (
                INSERT INTO sync_change (seq, id, replica, type, entity, site, hlc, author, fields, base)
                SELECT u.seq, u.id, u.replica, u.type, u.entity, NULLIF(u.site, ''), u.hlc, u.author, u.fields,
                    u.base
                FROM unnest(\(columns.seq)::int8[], \(columns.id)::text[], \(columns.replica)::text[],
                    \(columns.type)::text[], \(columns.entity)::text[], \(columns.site)::text[], \(columns.hlc)::text[],
                    \(columns.author)::text[], \(columns.fields)::text[], \(columns.base)::text[])
                    AS u(seq, id, replica, type, entity, site, hlc, author, fields, base)
            ), saved AS (
                INSERT INTO sync_record (type, entity, site, vals, versions, conflicted)
                SELECT u.type, u.entity, NULLIF(u.site, ''), u.vals, u.versions, u.conflicted
                FROM unnest(\(records.map(\.key.type))::text[], \(records.map(\.key.entity))::text[],
                    \(records.map { $0.record.site ?? "" })::text[], \(records.map(\.record.valuesJSON))::text[],
                    \(records.map(\.record.versionsJSON))::text[], \(records.map(\.record.conflicted))::bool[])
                    AS u(type, entity, site, vals, versions, conflicted)
                ON CONFLICT (type, entity) DO UPDATE SET site = EXCLUDED.site, vals = EXCLUDED.vals,
                    versions = EXCLUDED.versions, conflicted = EXCLUDED.conflicted
            ), noted AS (
                INSERT INTO sync_conflict (id, kind, type, entity, site, field, winner_value, winner_author,
                    winner_hlc, loser_value, loser_author, loser_hlc)
                SELECT u.id, u.kind, u.type, u.entity, NULLIF(u.site, ''), u.field, u.wv, u.wa, u.wh, u.lv, u.la, u.lh
                FROM unnest(\(conflicts.map(\.id))::text[], \(conflicts.map(\.kind.rawValue))::text[],
                    \(conflicts.map(\.type))::text[], \(conflicts.map(\.entity))::text[],
                    \(conflicts.map { $0.site ?? "" })::text[], \(conflicts.map(\.field))::text[],
                    \(conflicts.map(\.winner.value.json))::text[], \(conflicts.map(\.winner.author))::text[],
                    \(conflicts.map(\.winner.hlc.description))::text[], \(conflicts.map(\.loser.value.json))::text[],
                    \(conflicts.map(\.loser.author))::text[], \(conflicts.map(\.loser.hlc.description))::text[])
                    AS u(id, kind, type, entity, site, field, wv, wa, wh, lv, la, lh)
                ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, winner_value = EXCLUDED.winner_value,
                    winner_author = EXCLUDED.winner_author, winner_hlc = EXCLUDED.winner_hlc
            )
            SELECT pg_notify(\(Self.commitChannel), \(payload))
            """, logger: logger)
    }

    // MARK: - Pull

    package func pull(after cursor: Int64, limit: Int, for account: Account) async throws -> PullPage {
        try await client.withConnection { connection in
            // One snapshot for the page and its conflicts.
            try await PostgresTransaction.run(on: connection, logger: logger) { connection in
                try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                let log = try await Self.logID(on: connection, logger: logger)
                return try await Self.pull(
                    after: cursor, limit: limit, sites: account.visibleSites, log: log, on: connection, logger: logger)
            }
        }
    }

    private static func pull(
        after cursor: Int64, limit: Int, sites: Set<String>?, log: String, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> PullPage {
        let columns = "seq, id, replica, type, entity, site, hlc, author, fields, base"
        let rows =
            if let sites {
                try await connection.query(
                    """
                    SELECT \(unescaped: columns) FROM sync_change
                    WHERE seq > \(cursor) AND (site IS NULL OR site = ANY(\(sites.sorted())::text[]))
                    ORDER BY seq LIMIT \(limit + 1)
                    """, logger: logger)
            } else {
                try await connection.query(
                    "SELECT \(unescaped: columns) FROM sync_change WHERE seq > \(cursor) ORDER BY seq LIMIT \(limit + 1)",
                    logger: logger)
            }
        var changes: [RawLoggedChange] = []
        changes.reserveCapacity(min(limit, 10_000))
        for try await (seq, id, replica, type, entity, site, hlc, author, fields, base) in rows.decode(
            (Int64, String, String, String, String, String?, String, String, String, String).self)
        {
            changes.append(
                RawLoggedChange(
                    seq: seq, id: id, replica: replica, type: type, entity: entity, site: site, hlc: hlc,
                    author: author, fieldsJSON: fields, baseJSON: base))
        }
        let hasMore = changes.count > limit
        if hasMore { changes.removeLast() }
        guard let newCursor = changes.last?.seq else {
            return PullPage(changes: [], conflicts: [], cursor: cursor, hasMore: false, log: log)
        }
        let conflicts = try await Self.conflicts(
            touching: changes.map { ($0.type, $0.entity) }, sites: sites, on: connection, logger: logger)
        return PullPage(changes: changes, conflicts: conflicts, cursor: newCursor, hasMore: hasMore, log: log)
    }

    /// The conflicts (open, resolved and settled) of the records a pull page changed, and those
    /// named by the resolutions among its changes: the same set the embedded store answers.
    private static func conflicts(
        touching records: [(type: String, entity: String)], sites: Set<String>?, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [Conflict] {
        let types = records.map(\.type)
        let entities = records.map(\.entity)
        var found: [String: Conflict] = [:]
        for try await (id, kind, type, entity, site, field, wv, wa, wh, lv, la, lh) in try await connection.query(
            """
            WITH touched AS (SELECT * FROM unnest(\(types)::text[], \(entities)::text[]) AS t(type, entity))
            SELECT c.id, c.kind, c.type, c.entity, c.site, c.field, c.winner_value, c.winner_author, c.winner_hlc,
                c.loser_value, c.loser_author, c.loser_hlc
            FROM sync_conflict c
            WHERE (c.type, c.entity) IN (SELECT type, entity FROM touched)
                OR c.id IN (SELECT entity FROM touched WHERE type = 'resolution')
            """, logger: logger
        ).decode((String, String, String, String, String?, String, String, String, String, String, String, String).self)
        {
            found[id] = try Conflict(
                id: id, kind: kind, type: type, entity: entity, site: site, field: field, winnerValueJSON: wv,
                winnerAuthor: wa, winnerHLC: wh, loserValueJSON: lv, loserAuthor: la, loserHLC: lh)
        }
        for try await (id, values) in try await connection.query(
            """
            WITH touched AS (SELECT * FROM unnest(\(types)::text[], \(entities)::text[]) AS t(type, entity))
            SELECT r.entity, r.vals FROM sync_record r
            WHERE r.type = 'resolution' AND (r.entity = ANY(\(Array(found.keys))::text[])
                OR r.entity IN (SELECT entity FROM touched WHERE type = 'resolution')
                OR (r.target_type, r.target_entity) IN (SELECT type, entity FROM touched))
            """, logger: logger
        ).decode((String, String).self) {
            if found[id] != nil {
                found[id]?.resolution = try Conflict.choice(inResolutionValues: values)
            } else if let settled = try Conflict.settled(resolutionID: id, valuesJSON: values) {
                found[id] = settled
            }
        }
        return found.values.filter { conflict in
            guard let sites, let site = conflict.site else { return true }
            return sites.contains(site)
        }.sorted { ($0.loser.hlc, $0.id) < ($1.loser.hlc, $1.id) }
    }

    // MARK: - Sequence

    package func lastSequence() async throws -> Int64 {
        try await client.withConnection { connection in try await Self.lastSequence(on: connection, logger: logger) }
    }

    package func logID() async throws -> String {
        try await client.withConnection { connection in try await Self.logID(on: connection, logger: logger) }
    }

    private static func logID(on connection: PostgresConnection, logger: Logger) async throws -> String {
        for try await id in try await connection.query("SELECT value FROM sync_meta WHERE key = 'log'", logger: logger)
            .decode(String.self)
        {
            return id
        }
        throw noLogID
    }

    private static let noLogID = StoreError.corrupt("the database has no change-log id (sync_meta)")

    package func renewLogID() async throws -> String {
        for try await id in try await client.query(
            "UPDATE sync_meta SET value = gen_random_uuid()::text WHERE key = 'log' RETURNING value", logger: logger
        ).decode(String.self) {
            try await client.query("SELECT pg_notify(\(Self.commitChannel), '')", logger: logger)
            commits.notify(.everything)
            return id
        }
        throw StorageOpenError.unreachable(
            location.description, reason: "the database has no change-log id (sync_meta)")
    }

    private static func lastSequence(on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        for try await last in try await connection.query(
            "SELECT COALESCE(MAX(seq), 0)::int8 FROM sync_change", logger: logger
        ).decode(Int64.self) {
            return last
        }
        return 0
    }

    // MARK: - Accounts

    package func account(tokenHash: String) async throws -> Account? {
        let rows = try await client.query(
            "SELECT name, role, sites, revoked FROM server_account WHERE token_hash = \(tokenHash)", logger: logger)
        for try await (name, role, sites, revoked) in rows.decode((String, String, String, Bool).self) {
            return Self.account(name: name, role: role, sites: sites, revoked: revoked)
        }
        return nil
    }

    package func addAccount(_ account: Account, tokenHash: String) async throws {
        let rows = try await client.query(
            """
            INSERT INTO server_account (name, role, sites, token_hash)
            VALUES (\(account.name), \(account.role.rawValue), \(account.sites.sorted().joined(separator: ",")), \(tokenHash))
            ON CONFLICT (name) WHERE NOT revoked DO NOTHING
            RETURNING name
            """, logger: logger)
        var inserted = false
        for try await _ in rows.decode(String.self) { inserted = true }
        if !inserted { throw SyncStorageError.accountExists(account.name) }
    }

    package func revokeAccount(name: String) async throws -> Bool {
        let rows = try await client.query(
            "UPDATE server_account SET revoked = true WHERE name = \(name) RETURNING name", logger: logger)
        var found = false
        for try await _ in rows.decode(String.self) { found = true }
        if found {
            // Waiting pulls on every server look at their tokens again (an empty payload wakes all).
            try await client.query("SELECT pg_notify(\(Self.commitChannel), '')", logger: logger)
            commits.notify(.everything)
        }
        return found
    }

    package func accounts() async throws -> [Account] {
        var result: [Account] = []
        for try await (name, role, sites, revoked) in try await client.query(
            "SELECT name, role, sites, revoked FROM server_account ORDER BY name COLLATE \"C\", id", logger: logger
        ).decode((String, String, String, Bool).self) {
            result.append(Self.account(name: name, role: role, sites: sites, revoked: revoked))
        }
        return result
    }

    private static func account(name: String, role: String, sites: String, revoked: Bool) -> Account {
        Account(
            name: name, role: Role(rawValue: role) ?? .viewer,
            sites: Set(sites.split(separator: ",").map(String.init)), revoked: revoked)
    }
}
