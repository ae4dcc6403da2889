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

/// Why storage refused a push.
package enum SyncStorageError: Error, Equatable, Sendable {
    case forbidden(changeID: String, message: String)
    case accountExists(String)
}
