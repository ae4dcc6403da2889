import Synchronization

/// Wakes live pulls (`GET /v1/pull?wait=SECONDS`) when changes they may see commit.
///
/// A waiting pull costs no thread: it is one continuation in a dictionary until a commit, its
/// timeout, its task's cancellation or `release` resumes it. A pull arms its ticket *before* it
/// reads, so a commit between its read and its wait still wakes it. A wake is only a hint: the
/// pull always reads again from its cursor, so a notification lost or sent too widely costs at
/// most one wait period or one empty read, never a skipped change.
package final class CommitSignal: Sendable {
    /// What committed.
    package enum Committed: Sendable, Equatable {
        /// Changes of these sites; `nil` stands for a change of no site (definitions), which every scope sees.
        case sites(Set<String?>)
        /// Unknown or too much to name: wakes every waiter (after a missed notification, say).
        case everything
    }

    /// One armed wait, from `arm` until `disarm`.
    package struct Ticket: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    private enum Slot {
        /// Armed; the pull has not begun to wait yet.
        case armed
        /// Waiting for a commit.
        case waiting(CheckedContinuation<Void, Never>)
        /// Woken (a commit, a cancellation or a release) before or while it waited.
        case done
    }

    private struct Entry {
        /// The sites the pull may see; nil for every site.
        var sites: Set<String>?
        var slot: Slot
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// How many pulls are armed or waiting now.
    package var waiting: Int { state.withLock { $0.entries.count } }

    /// Arms a ticket for a pull that sees `sites` (nil: every site): from now on a commit it may
    /// see wakes it.
    package func arm(for sites: Set<String>?) -> Ticket {
        state.withLock { state in
            let id = state.nextID
            state.nextID &+= 1
            state.entries[id] = Entry(sites: sites, slot: .armed)
            return Ticket(id: id)
        }
    }

    /// Forgets the ticket (resuming it if it still waits).
    package func disarm(_ ticket: Ticket) {
        let entry = state.withLock { $0.entries.removeValue(forKey: ticket.id) }
        if case .waiting(let continuation)? = entry?.slot { continuation.resume() }
    }

    /// Wakes the ticket now, whatever it waits for (a graceful shutdown, say).
    package func release(_ ticket: Ticket) {
        let continuation = state.withLock { state in Self.finish(&state, ticket.id) }
        continuation?.resume()
    }

    /// Returns once a commit the ticket's scope may see has come since it was armed, or when
    /// `deadline` passes, or when the calling task is cancelled, whichever is first.
    package func wait(_ ticket: Ticket, until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.suspend(ticket) }
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Wakes every ticket whose scope sees something that committed.
    package func notify(_ committed: Committed) {
        let woken = state.withLock { state in
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, entry) in state.entries where Self.sees(entry.sites, committed) {
                if let continuation = Self.finish(&state, id) { woken.append(continuation) }
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Whether a pull that sees `sites` may see what committed.
    static func sees(_ sites: Set<String>?, _ committed: Committed) -> Bool {
        guard let sites, case .sites(let changed) = committed else { return true }
        return changed.contains { site in site.map(sites.contains) ?? true }
    }

    /// Marks the entry done; returns its continuation when it was waiting.
    private static func finish(_ state: inout State, _ id: UInt64) -> CheckedContinuation<Void, Never>? {
        guard let entry = state.entries[id] else { return nil }
        state.entries[id]?.slot = .done
        if case .waiting(let continuation) = entry.slot { return continuation }
        return nil
    }

    private func suspend(_ ticket: Ticket) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    guard let entry = state.entries[ticket.id], case .armed = entry.slot else { return true }
                    state.entries[ticket.id]?.slot = .waiting(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            release(ticket)
        }
    }
}
