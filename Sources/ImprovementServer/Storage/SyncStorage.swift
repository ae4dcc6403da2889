import ImprovementCore

/// Where the server keeps the change log, merged records, conflicts and accounts.
///
/// One protocol, one implementation per engine (SQLite by default); the same conformance
/// tests run against each.
package protocol SyncStorage: Sendable {
    /// Applies a batch atomically after checking each change against the account's rights.
    /// Changes already held count as duplicates.
    func push(_ changes: [Change], by account: Account) async throws -> PushOutcome
    /// A page of changes after `cursor` that the account may see, with the conflicts of the
    /// records they touch.
    func pull(after cursor: Int64, limit: Int, for account: Account) async throws -> PullPage
    /// The account `tokenHash` names and, when it is live, its page after `cursor`: what a pull
    /// request needs, read together (on SQLite in one snapshot, one trip to the database). Nil
    /// when no live account has the token.
    func pull(after cursor: Int64, limit: Int, tokenHash: String) async throws -> (account: Account, page: PullPage)?
    /// The highest sequence number handed out so far.
    func lastSequence() async throws -> Int64
    /// The id of this copy of the change log, sent with every push and pull answer. Read on
    /// every request, so that servers sharing a database never disagree about it.
    func logID() async throws -> String
    /// Gives the change log a new id, after a backup was restored: devices that see it send
    /// everything they had sent again and pull from the start, so nothing acknowledged after
    /// the backup is lost.
    func renewLogID() async throws -> String

    /// Proves the database takes writes now by rewriting a one-row heartbeat (`/health/ready`).
    func heartbeat() async throws
    /// The folder on this machine that holds the database, for the free-space check of
    /// `/health/ready`; nil when the database lives on another machine (PostgreSQL).
    var localFolder: String? { get }

    func account(tokenHash: String) async throws -> Account?
    func addAccount(_ account: Account, tokenHash: String) async throws
    /// Returns false when there is no such account.
    func revokeAccount(name: String) async throws -> Bool
    func accounts() async throws -> [Account]

    /// Wakes live pulls when changes commit: through this storage, and on PostgreSQL through every
    /// server process sharing the database (LISTEN/NOTIFY).
    var commits: CommitSignal { get }
}

extension SyncStorage {
    package func pull(
        after cursor: Int64, limit: Int, tokenHash: String
    ) async throws -> (
        account: Account, page: PullPage
    )? {
        guard let account = try await account(tokenHash: tokenHash), !account.revoked else { return nil }
        return (account, try await pull(after: cursor, limit: limit, for: account))
    }
}

/// What a push did.
package struct PushOutcome: Equatable, Sendable {
    package var accepted: Int
    package var duplicates: Int
    /// Conflict records created by this batch.
    package var conflicts: Int
    /// The highest server sequence number after the push.
    package var cursor: Int64
    /// The id of the change log the push went into (see `logID`).
    package var log: String
}

/// One page of a pull.
package struct PullPage: Sendable {
    /// The changes the page holds, in log order: their positions and ids (the changes themselves
    /// are in `changesAndConflictsJSON`).
    package let changes: [PulledChange]
    package let conflicts: [Conflict]
    package let cursor: Int64
    package let hasMore: Bool
    /// The id of the change log the page was read from (see `logID`).
    package let log: String
    /// The answer's `"changes"` and `"conflicts"` members as UTF-8 JSON
    /// (`{"changes":[…],"conflicts":[…]`), rendered where the page is read: on SQLite that is a
    /// storage thread, so the threads that serve every request only add the page's last few fields.
    package let changesAndConflictsJSON: [UInt8]

    /// A page of the changes `body` holds.
    package init(body: PullPageBody, conflicts: [Conflict], cursor: Int64, hasMore: Bool, log: String) {
        self.changes = body.changes
        self.conflicts = conflicts
        self.cursor = cursor
        self.hasMore = hasMore
        self.log = log
        var out = body.json
        out.append("],\"conflicts\":[")
        for (index, conflict) in conflicts.enumerated() {
            if index > 0 { out.append(",") }
            var text = ""
            conflict.appendJSON(to: &text)
            out.appendJSON(text)
        }
        out.append("]")
        changesAndConflictsJSON = out.bytes
    }

    /// A page of changes read as `RawLoggedChange`s (PostgreSQL).
    package init(changes: [RawLoggedChange], conflicts: [Conflict], cursor: Int64, hasMore: Bool, log: String) {
        var body = PullPageBody(capacity: changes.count)
        for change in changes {
            body.append(
                seq: change.seq, id: change.id, replica: change.replica, type: change.type, entity: change.entity,
                site: change.site, hlc: change.hlc, author: change.author, fieldsJSON: change.fieldsJSON,
                baseJSON: change.baseJSON)
        }
        self.init(body: body, conflicts: conflicts, cursor: cursor, hasMore: hasMore, log: log)
    }
}

/// A change a pull page holds: where it is in the log, and which change it is.
package struct PulledChange: Equatable, Sendable {
    package var seq: Int64
    package var id: String
}

/// A pull page's changes as they are read: their JSON, and which changes they are.
package struct PullPageBody {
    fileprivate var json: JSONBytes
    package private(set) var changes: [PulledChange] = []

    /// - Parameter capacity: the changes expected, when known; a guess only reserves for a few,
    ///   since a thousand live pulls woken by one commit each read a page, most of them empty.
    package init(capacity: Int) {
        json = JSONBytes(reservingCapacity: 64 + capacity * 420)
        json.append("{\"changes\":[")
        changes.reserveCapacity(capacity)
    }

    /// Appends one logged change, from its stored text (`String`s, or a row's column bytes).
    package mutating func append<Text: JSONTextSource>(
        seq: Int64, id: Text, replica: Text, type: Text, entity: Text, site: Text?, hlc: Text, author: Text,
        fieldsJSON: Text, baseJSON: Text
    ) {
        if !changes.isEmpty { json.append(",") }
        ChangeWire.append(
            id: id, replica: replica, type: type, entity: entity, site: site, hlc: hlc, author: author,
            fieldsJSON: fieldsJSON, baseJSON: baseJSON, seq: seq, to: &json)
        changes.append(PulledChange(seq: seq, id: id.withUTF8Bytes { String(decoding: $0, as: UTF8.self) }))
    }
}

/// Why storage refused a push.
package enum SyncStorageError: Error, Equatable, Sendable {
    case forbidden(changeID: String, message: String)
    case accountExists(String)
}
