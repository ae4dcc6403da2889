import Foundation
import ImprovementCore
import Synchronization

/// A physical clock a test moves by hand.
final class ManualClock: Sendable {
    private let now: Mutex<Int64>

    init(_ start: Int64 = TestDates.noon2026June1) {
        now = Mutex(start)
    }

    var physical: PhysicalClock {
        PhysicalClock { [self] in now.withLock { $0 } }
    }

    func advance(by millis: Int64) { now.withLock { $0 += millis } }
    func set(_ millis: Int64) { now.withLock { $0 = millis } }
    var millis: Int64 { now.withLock { $0 } }
}

enum TestDates {
    /// 2026-06-01T12:00:00Z, a Monday.
    static let noon2026June1: Int64 = 1_780_315_200_000
    static let june1 = Day(year: 2026, month: 6, day: 1)!
}

/// Seeded, reproducible randomness (SplitMix64).
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ImprovementStore {
    /// An in-memory store with a fixed replica id and a hand-driven clock.
    static func inMemory(replica: String, clock: ManualClock = ManualClock()) throws -> ImprovementStore {
        try ImprovementStore(
            path: nil, options: StoreOptions(replica: replica, clock: clock.physical, utcOffsetSeconds: 0))
    }

    /// A site, two wards, a programme and one measure of each data shape.
    func addFallsProgramme(author: String = "coordinator") throws {
        try write(author: author) { writer in
            try writer.save(Site(id: "north", name: "North Hospital"))
            try writer.save(Site(id: "south", name: "South Hospital"))
            try writer.save(Unit(id: "ward-7", site: "north", name: "Ward 7"))
            try writer.save(Unit(id: "ward-9", site: "north", name: "Ward 9"))
            try writer.save(Unit(id: "ward-s1", site: "south", name: "South 1"))
            try writer.save(Programme(id: "falls", name: "Falls", aim: "Reduce inpatient falls by 30% by June 2027"))
            try writer.save(
                Measure(
                    id: "falls-rate", programme: "falls", name: "Falls per 1,000 bed days", type: .outcome, chart: .u,
                    frequency: .week, direction: .down))
            try writer.save(
                Measure(
                    id: "risk-assessed", programme: "falls", name: "Patients risk-assessed within 24 h", type: .process,
                    chart: .p, frequency: .week, direction: .up, target: 0.95))
            try writer.save(
                Measure(
                    id: "sedation", programme: "falls", name: "Patients on sedatives", type: .balancing, chart: .i,
                    frequency: .month, direction: .down))
            try writer.save(
                Measure(
                    id: "days-between", programme: "falls", name: "Days between falls with harm", type: .outcome,
                    chart: .g, frequency: .day, direction: .up))
        }
    }

    /// Every change in the log, oldest first.
    func allChanges() throws -> [Change] {
        var result: [Change] = []
        var after: Int64 = 0
        while true {
            let page = try changes(after: after, limit: 500)
            guard let last = page.last else { return result }
            result += page.map(\.change)
            after = last.seq
        }
    }
}
