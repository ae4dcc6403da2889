import GRDB
import ImprovementCore
import Synchronization

/// The newest part of the SQLite change log, each change held as the JSON a pull page sends.
///
/// Every change is pulled by each of its site's other devices, so a server with ten devices a
/// site read and rendered each row ten times; most pulls come from devices that keep up, and
/// their pages now copy bytes held here instead.
///
/// The pulls fill it themselves: a pull whose snapshot holds changes newer than `top` first reads
/// those changes from that snapshot and adds them. So whatever wrote the log, this holds exactly
/// its rows, and a page made here is the page the pull's snapshot would give. It holds every
/// change with `floor < seq <= top` of the log named `log`; a pull from a cursor before `floor`
/// (a device catching up), or a snapshot of another log, reads the database as before.
final class RecentChanges: Sendable {
    /// About 10,000 changes of weekly observations; the oldest are dropped beyond it.
    static let defaultMaxBytes = 4 << 20
    /// A snapshot this many changes ahead (a bulk import) is not read in: the mirror starts again
    /// at that snapshot's end, and pulls from before it read the database.
    static let maxCatchUp = 5_000

    /// One change: where it is in the log, whose it is, and its JSON as a page sends it.
    struct Entry: Sendable {
        let seq: Int64
        let site: String?
        let type: String
        let entity: String
        let id: String
        let json: [UInt8]
    }

    /// What a pull at a snapshot must do before a page can be made here.
    enum Readiness: Equatable {
        case ready
        /// Read the snapshot's changes after this sequence and `add` them (or `abandonCatchUp`).
        /// One pull at a time is asked: the burst of pulls after a commit would otherwise all
        /// render the same changes, and those that come meanwhile read the database.
        case catchUp(after: Int64)
    }

    /// An entry's place: its sequence, and its index in `entries` counting every entry ever held.
    private struct Position {
        let seq: Int64
        let ordinal: Int
    }

    private struct State {
        var log: String?
        var floor: Int64 = 0
        var top: Int64 = 0
        /// In log order; the first is the entry of ordinal `dropped`.
        var entries: [Entry] = []
        var dropped = 0
        /// Entries held from ordinal `dropped + start` on (the rest are removed in bulk, now and then).
        var start = 0
        /// Each site's entries (nil: the global definitions), so a page looks only at its own sites.
        var bySite: [String?: [Position]] = [:]
        var bytes = 0
        /// A pull is reading the changes after `top` in.
        var catchingUp = false
        /// Pages made here and pages left to the database, for tests.
        var served = 0
        var declined = 0

        mutating func reset(log: String, at last: Int64) {
            self = State(
                log: log, floor: last, top: last, catchingUp: catchingUp, served: served, declined: declined)
        }

        mutating func append(_ entry: Entry) {
            bySite[entry.site, default: []].append(Position(seq: entry.seq, ordinal: dropped + entries.count))
            entries.append(entry)
            bytes += entry.json.count
        }

        /// Drops the oldest entries beyond `maxBytes`; `floor` becomes the last one dropped.
        mutating func trim(to maxBytes: Int) {
            while bytes > maxBytes, start < entries.count {
                bytes -= entries[start].json.count
                floor = entries[start].seq
                start += 1
            }
            guard start > 4096, start * 2 > entries.count else { return }
            entries.removeFirst(start)
            dropped += start
            start = 0
            for site in Array(bySite.keys) {
                bySite[site]!.removeFirst(Self.firstIndex(in: bySite[site]!, after: floor))
                if bySite[site]!.isEmpty { bySite[site] = nil }
            }
        }

        /// The index in `positions` (in log order) of the first after sequence `cursor`.
        static func firstIndex(in positions: [Position], after cursor: Int64) -> Int {
            var low = 0
            var high = positions.count
            while low < high {
                let middle = (low + high) / 2
                if positions[middle].seq <= cursor { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    private let state = Mutex(State())
    private let maxBytes: Int

    init(maxBytes: Int = RecentChanges.defaultMaxBytes) {
        self.maxBytes = maxBytes
    }

    /// Pages made here and pages left to the database so far.
    var counts: (served: Int, declined: Int) {
        state.withLock { ($0.served, $0.declined) }
    }

    /// Whether a pull after `cursor` may be answered here (a snapshot of another log, or one far
    /// ahead, may still be refused).
    func covers(_ cursor: Int64) -> Bool {
        state.withLock { $0.log != nil && cursor >= $0.floor }
    }

    /// How many changes a snapshot ending at `last` holds beyond those here.
    func behind(_ last: Int64) -> Int64 {
        state.withLock { last - $0.top }
    }

    /// What a pull whose snapshot is of log `log`, ending at sequence `last`, must do first.
    func readiness(log: String, last: Int64) -> Readiness {
        state.withLock { state in
            if state.log != log || last - state.top > Self.maxCatchUp {
                if state.log != log || last > state.top { state.reset(log: log, at: last) }
                return .ready
            }
            guard last > state.top, !state.catchingUp else { return .ready }
            state.catchingUp = true
            return .catchUp(after: state.top)
        }
    }

    /// Lets another pull catch up: this one could not read its changes in.
    func abandonCatchUp() {
        state.withLock { $0.catchingUp = false }
    }

    /// Adds the changes a snapshot of `log` holds after `after` through `last`, in log order. A
    /// pull that added them first, or a log renamed meanwhile, leaves nothing to add.
    func add(_ entries: [Entry], after: Int64, through last: Int64, log: String) {
        state.withLock { state in
            state.catchingUp = false
            guard state.log == log, state.top >= after, state.top < last else { return }
            let top = state.top
            for entry in entries where entry.seq > top { state.append(entry) }
            state.top = last
            state.trim(to: maxBytes)
        }
    }

    /// The page after `cursor` of a snapshot of `log` ending at `last`, of the changes `sites`
    /// may see (nil: every site; global changes are seen by all), or nil when this does not hold
    /// every change the page needs. Also the records the page changes, when `touched` is asked for.
    func page(
        after cursor: Int64, through last: Int64, log: String, limit: Int, sites: Set<String>?, touched: Bool
    ) -> (body: PullPageBody, hasMore: Bool, touched: [(type: String, entity: String)])? {
        state.withLock { state in
            guard state.log == log, cursor >= state.floor, last <= state.top else {
                state.declined += 1
                return nil
            }
            state.served += 1
            // The sites' lists from their first entry after the cursor, merged in log order.
            var lists: [(positions: [Position], next: Int)] = []
            for site in sites.map({ $0.map(Optional.some) + [nil] }) ?? Array(state.bySite.keys) {
                guard let positions = state.bySite[site] else { continue }
                let next = State.firstIndex(in: positions, after: cursor)
                if next < positions.count { lists.append((positions, next)) }
            }
            var body = PullPageBody(capacity: min(limit, 8))
            var records: [(type: String, entity: String)] = []
            var hasMore = false
            while true {
                var earliest: Int?
                for index in lists.indices where lists[index].next < lists[index].positions.count {
                    let seq = lists[index].positions[lists[index].next].seq
                    if seq <= last, earliest.map({ seq < lists[$0].positions[lists[$0].next].seq }) ?? true {
                        earliest = index
                    }
                }
                guard let chosen = earliest else { break }
                guard body.changes.count < limit else {
                    hasMore = true
                    break
                }
                let position = lists[chosen].positions[lists[chosen].next]
                lists[chosen].next += 1
                let entry = state.entries[position.ordinal - state.dropped]
                body.append(rendered: entry.json, seq: entry.seq, id: entry.id)
                if touched { records.append((entry.type, entry.entity)) }
            }
            return (body, hasMore, records)
        }
    }
}
