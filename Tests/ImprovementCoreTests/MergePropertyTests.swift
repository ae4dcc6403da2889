import Foundation
import ImprovementCore
import Testing

/// Random replicas make random edits and exchange changes in random orders, with duplicates and
/// failed batches; whatever happens, they must end identical and nothing written may be lost.
///
/// `IMPROVE_PROPERTY_CASES` sets the number of cases (default 1,000); `IMPROVE_PROPERTY_SEED`
/// replays a failure: the failing seed is printed in the failure message.
@Suite("Merge properties")
struct MergePropertyTests {
    @Test func replicasConvergeAndNothingIsLost() throws {
        let environment = ProcessInfo.processInfo.environment
        let cases = environment["IMPROVE_PROPERTY_CASES"].flatMap(Int.init) ?? 1000
        let firstSeed =
            environment["IMPROVE_PROPERTY_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max / 2)
        var conflictsSeen = 0
        var fallbacksSeen = 0
        var restoresSeen = 0
        var decisionsSeen = 0
        for index in 0..<cases {
            let seed = firstSeed &+ UInt64(index)
            var scenario = try MergeScenario(seed: seed)
            let problems: [String]
            do {
                try scenario.run()
                problems = try scenario.check()
            } catch {
                problems = ["unexpected error: \(error)"]
            }
            let report = problems.prefix(10).joined(separator: "\n")
            #expect(
                problems.isEmpty,
                "seed \(seed) failed; replay with IMPROVE_PROPERTY_SEED=\(seed) IMPROVE_PROPERTY_CASES=1:\n\(report)")
            if !problems.isEmpty { return }
            conflictsSeen += scenario.conflictCount
            fallbacksSeen += scenario.failedBatches
            restoresSeen += scenario.recordResolutions
            decisionsSeen += scenario.decisions
        }
        // The generator must actually produce the situations under test.
        #expect(cases < 50 || conflictsSeen > cases / 10, "too few conflicts generated: \(conflictsSeen)")
        #expect(cases < 50 || fallbacksSeen > 0, "no failed batch was exercised")
        #expect(cases < 50 || decisionsSeen > cases / 5, "too few conflicts settled: \(decisionsSeen)")
        #expect(cases < 50 || restoresSeen > cases / 50, "too few decisions that put values back: \(restoresSeen)")
    }
}

/// One random history of several replicas.
struct MergeScenario {
    var random: SeededRandom
    var replicas: [ImprovementStore] = []
    var clocks: [ManualClock] = []
    var conflictCount = 0
    var failedBatches = 0
    /// Value changes written by settling conflicts (record-level or field-level).
    var recordResolutions = 0
    /// Resolution records written (whichever side was kept).
    var decisions = 0
    let periods = [Day("2026-04-06")!, Day("2026-04-13")!]
    let months = [Day("2026-03-01")!, Day("2026-04-01")!]

    init(seed: UInt64) throws {
        random = SeededRandom(seed: seed)
        let count = Int.random(in: 3...4, using: &random)
        for index in 0..<count {
            let clock = ManualClock(TestDates.noon2026June1 + Int64.random(in: -2_000...2_000, using: &random))
            clocks.append(clock)
            replicas.append(try .inMemory(replica: "r\(index)", clock: clock))
        }
        try replicas[0].addFallsProgramme()
        let definitions = try replicas[0].allChanges()
        for replica in replicas.dropFirst() { try replica.apply(definitions) }
    }

    mutating func run() throws {
        try randomSteps(Int.random(in: 10...30, using: &random))
        // Coordinators settle what they have seen while the wards carry on, so decisions race
        // with new edits, other decisions and partial deliveries.
        for index in replicas.indices where Bool.random(using: &random) {
            try resolveRecord(on: replicas[index])
        }
        try randomSteps(Int.random(in: 0...15, using: &random))
        // Finally everyone hears everything, in their own random order.
        var union: [String: Change] = [:]
        for replica in replicas { for change in try replica.allChanges() { union[change.id] = change } }
        for replica in replicas { try deliver(Array(union.values), to: replica, fraction: 1) }
        // A newcomer receives the whole history in one batch.
        let newcomer = try ImprovementStore.inMemory(replica: "newcomer")
        try newcomer.apply(Array(union.values).shuffled(using: &random))
        replicas.append(newcomer)
        conflictCount = try replicas[0].conflicts(includeResolved: true).count
        let everything = try replicas[0].allChanges()
        recordResolutions = everything.filter { !DecisionGroup.resolutions(of: $0).isEmpty }.count
        decisions = everything.filter { $0.type == EntityType.resolution.name }.count
    }

    mutating func randomSteps(_ steps: Int) throws {
        for _ in 0..<steps {
            let index = Int.random(in: 0..<replicas.count, using: &random)
            // Clocks drift, and sometimes jump back.
            clocks[index].advance(by: Int64.random(in: -40...60, using: &random))
            let roll = Int.random(in: 0..<100, using: &random)
            switch roll {
            case 0..<35: try recordSomething(on: replicas[index])
            case 35..<45: try deleteSomething(on: replicas[index])
            case 45..<52: try renameUnit(on: replicas[index])
            case 52..<55: try toggleUnit(on: replicas[index])
            case 55..<58: try resolveSomething(on: replicas[index])
            case 58..<66: try resolveRecord(on: replicas[index])
            default:
                var target = Int.random(in: 0..<replicas.count - 1, using: &random)
                if target >= index { target += 1 }
                try deliver(try replicas[index].allChanges(), to: replicas[target], fraction: 0.6)
            }
        }
    }

    /// Sends a random part of `changes`, shuffled, with duplicates, in a few batches; some batches
    /// fail part-way (a poisoned change) and must leave nothing behind before being resent.
    mutating func deliver(_ changes: [Change], to target: ImprovementStore, fraction: Double) throws {
        var chosen = changes.filter { _ in Double.random(in: 0..<1, using: &random) < fraction }
        chosen += chosen.filter { _ in Int.random(in: 0..<5, using: &random) == 0 }  // resends
        chosen.shuffle(using: &random)
        var start = 0
        while start < chosen.count {
            let end = min(chosen.count, start + Int.random(in: 1...max(1, chosen.count), using: &random))
            let batch = Array(chosen[start..<end])
            if Int.random(in: 0..<8, using: &random) == 0 {
                let before = try target.lastSequence()
                var poisoned = batch
                var bad = batch[0]
                bad.id = "poison-\(random.next())"
                bad.type = "observation"
                bad.fields = ["numerator": .text("three")]
                poisoned.insert(bad, at: Int.random(in: 0...poisoned.count, using: &random))
                do {
                    try target.apply(poisoned)
                    throw StoreError.corrupt("a poisoned batch was accepted")
                } catch StoreError.invalidChange {
                    failedBatches += 1
                }
                guard try target.lastSequence() == before else {
                    throw StoreError.corrupt("a failed batch left changes behind")
                }
            }
            try target.apply(batch)
            start = end
        }
    }

    mutating func recordSomething(on store: ImprovementStore) throws {
        let unit = ["ward-7", "ward-9"].randomElement(using: &random)!
        let note = [nil, "agency staff", "audit"].randomElement(using: &random)!
        let entry: ObservationEntry
        if Bool.random(using: &random) {
            entry = ObservationEntry(
                measure: "sedation", unit: unit, period: months.randomElement(using: &random)!,
                value: Double(Int.random(in: 1...3, using: &random)), note: note)
        } else {
            entry = ObservationEntry(
                measure: "falls-rate", unit: unit, period: periods.randomElement(using: &random)!,
                numerator: Double(Int.random(in: 0...2, using: &random)), denominator: 300, note: note)
        }
        let author = ["amy", "ben", "cat"].randomElement(using: &random)!
        do {
            try store.write(author: author) { try $0.record(entry) }
        } catch is ValidationError {
            // The unit was deleted on this device: the nurse is told, nothing is written.
        }
    }

    mutating func deleteSomething(on store: ImprovementStore) throws {
        let live = try store.observations(ObservationQuery())
        guard let victim = live.randomElement(using: &random) else { return }
        try store.write(author: "amy") { try $0.delete(.observation, id: victim.id) }
    }

    mutating func renameUnit(on store: ImprovementStore) throws {
        let id = ["ward-7", "ward-9"].randomElement(using: &random)!
        let name = ["Ward 7", "Ward Seven", "Ward 9", "Nightingale"].randomElement(using: &random)!
        do {
            try store.write(author: "coordinator") { try $0.save(Unit(id: id, site: "north", name: name)) }
        } catch is ValidationError {}
    }

    mutating func toggleUnit(on store: ImprovementStore) throws {
        let id = ["ward-7", "ward-9"].randomElement(using: &random)!
        if try store.record(Unit.self, id: id) != nil {
            try store.write(author: "coordinator") { try $0.delete(.unit, id: id) }
        } else {
            try store.write(author: "coordinator") { try $0.save(Unit(id: id, site: "north", name: "Reopened")) }
        }
    }

    mutating func resolveSomething(on store: ImprovementStore) throws {
        guard let conflict = try store.conflicts().randomElement(using: &random) else { return }
        let keep = ConflictChoice.allCases.randomElement(using: &random)!
        try store.write(author: "coordinator") { try $0.resolveConflict(id: conflict.id, keep: keep) }
    }

    /// Settles every open conflict of one record at once, as `improve conflicts resolve` does.
    mutating func resolveRecord(on store: ImprovementStore) throws {
        guard let record = try store.recordConflicts().randomElement(using: &random) else { return }
        let keep = ConflictChoice.allCases.randomElement(using: &random)!
        try store.write(author: "coordinator") { writer in
            // Decided on what the device holds inside the transaction, as the command does.
            guard let current = try writer.recordConflict(named: record.id) else { return }
            try writer.resolve(current, keep: keep)
        }
    }

    /// Everything that must hold at the end, as readable problems (empty when all is well).
    func check() throws -> [String] {
        var problems: [String] = []
        var union: [String: Change] = [:]
        for change in try replicas[0].allChanges() { union[change.id] = change }
        for replica in replicas.dropFirst() {
            let ids = Set(try replica.allChanges().map(\.id))
            if ids != Set(union.keys) { problems.append("\(replica.replica) holds a different set of changes") }
        }
        let byEntity = Dictionary(grouping: union.values) { EntityKey(type: $0.type, entity: $0.entity) }

        // 1. Identical records everywhere.
        for key in byEntity.keys {
            guard let type = EntityType.named(key.type) else { continue }
            let reference = try replicas[0].mergedState(of: type, id: key.entity)
            for replica in replicas.dropFirst() {
                let state = try replica.mergedState(of: type, id: key.entity)
                if state?.fields != reference?.fields || state?.versions != reference?.versions {
                    problems.append(
                        "\(key) differs on \(replica.replica): \(String(describing: state?.fields)) vs \(String(describing: reference?.fields))"
                    )
                }
            }
        }
        // 2. Identical conflict sets everywhere.
        let conflicts = try replicas[0].conflicts(includeResolved: true).sorted { $0.id < $1.id }
        for replica in replicas.dropFirst() {
            let other = try replica.conflicts(includeResolved: true).sorted { $0.id < $1.id }
            if other != conflicts {
                problems.append("conflicts differ on \(replica.replica): \(other.count) vs \(conflicts.count)")
            }
        }
        // 2b. The same record-level entries everywhere, and none made of a bookkeeping field.
        let records = try replicas[0].recordConflicts(includeResolved: true).sorted { $0.id < $1.id }
        for replica in replicas.dropFirst() {
            let other = try replica.recordConflicts(includeResolved: true).sorted { $0.id < $1.id }
            if other != records { problems.append("record conflicts differ on \(replica.replica)") }
        }
        for conflict in conflicts where EntityType.named(conflict.type)?.bookkeeping.contains(conflict.field) == true {
            problems.append("\(conflict.type) \(conflict.entity) has a conflict on bookkeeping field \(conflict.field)")
        }
        // 3. Last writer wins, field by field, and 4. every value written is current, was seen by a
        //    later writer, or is held in a conflict record.
        for (key, changes) in byEntity {
            guard let type = EntityType.named(key.type),
                let state = try replicas[0].mergedState(of: type, id: key.entity)
            else {
                problems.append("\(key) has changes but no record")
                continue
            }
            let deleted = state.fields["_deleted"] == .bool(true)
            var seen: [String: Set<HLC>] = [:]
            for change in changes {
                for (field, version) in change.base { if let version { seen[field, default: []].insert(version) } }
            }
            let fieldNames = Set(changes.flatMap(\.fields.keys))
            for field in fieldNames {
                let writes = changes.filter { $0.fields[field] != nil }
                let latest = writes.max { ($0.hlc, $0.id) < ($1.hlc, $1.id) }!
                if state.fields[field] != latest.fields[field] {
                    problems.append(
                        "\(key).\(field) is \(String(describing: state.fields[field])), the latest write was \(String(describing: latest.fields[field]))"
                    )
                }
                // Bookkeeping (who recorded the values) follows the values, whose losers are kept.
                if type.bookkeeping.contains(field) { continue }
                for write in writes {
                    let value = write.fields[field]!
                    let current = state.fields[field] == value && (!deleted || field == "_deleted")
                    let seenSomewhere = writes.contains {
                        $0.fields[field] == value && seen[field, default: []].contains($0.hlc)
                    }
                    let kept = conflicts.contains {
                        $0.type == key.type && $0.entity == key.entity && $0.field == field && $0.loser.value == value
                    }
                    if !(current || seenSomewhere || kept) {
                        problems.append("\(key).\(field) = \(value) by \(write.author) at \(write.hlc) was lost")
                    }
                }
            }
        }
        return problems
    }
}

struct EntityKey: Hashable, CustomStringConvertible {
    var type: String
    var entity: String
    var description: String { type + " " + entity }
}
