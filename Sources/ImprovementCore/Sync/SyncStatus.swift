import Foundation

/// What a `SyncEngine` is doing and where this device stands, as a client shows it.
public struct SyncStatus: Sendable, Equatable {
    /// The engine's activity.
    public enum State: Sendable, Equatable {
        /// Nothing to do until a change is recorded, the pull schedule comes round, or a sync is asked for.
        case idle
        /// A sync has begun and nothing has moved yet.
        case connecting
        /// Sending this device's changes.
        case uploading
        /// Receiving other devices' changes.
        case downloading
        /// A sync failed; the engine waits before trying again (see `lastError`).
        case waitingToRetry
        /// `SyncEngine.run()` has ended (its task was cancelled).
        case stopped
    }

    /// What the engine is doing now.
    public var state: State
    /// This device's changes waiting to be sent (held changes not included).
    public var pending: Int
    /// This device's changes the server refused, set aside until released (`ImprovementStore.heldChanges()`).
    public var held: Int
    /// When a sync last completed, if one has while this engine ran.
    public var lastSynced: Date?
    /// Why the last sync failed, in words the person holding the device can act on; nil once one succeeds.
    public var lastError: String?

    /// A status with every figure given.
    public init(state: State, pending: Int, held: Int, lastSynced: Date? = nil, lastError: String? = nil) {
        self.state = state
        self.pending = pending
        self.held = held
        self.lastSynced = lastSynced
        self.lastError = lastError
    }
}
