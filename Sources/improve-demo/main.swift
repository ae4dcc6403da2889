// A short tour of ImprovementCore on the embedded SQLite default: a coordinator defines a falls
// programme, two ward devices record offline (both the same week, with different numbers),
// exchange their change logs, agree, keep the losing value as a conflict, and chart the result.
//
// Until the sync server and the `improve` client exist, devices exchange changes directly.
import Foundation
import ImprovementCore

let folder = CommandLine.arguments.dropFirst().first
    ?? NSTemporaryDirectory() + "improve-demo-\(ProcessInfo.processInfo.processIdentifier)"
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
func store(_ name: String) throws -> ImprovementStore {
    try ImprovementStore(path: folder + "/\(name).sqlite")
}
func say(_ text: String) { print(text) }

let coordinator = try store("coordinator")
let wardA = try store("ward7-tablet")
let wardB = try store("ward7-laptop")
let today = coordinator.today
let thisWeek = today.startOfWeek

say("== A coordinator defines the programme (\(folder))")
try coordinator.write(author: "coordinator") { writer in
    try writer.save(Site(id: "north", name: "North Hospital"))
    try writer.save(Unit(id: "ward-7", site: "north", name: "Ward 7"))
    try writer.save(Programme(id: "falls", name: "Fewer falls", aim: "Reduce inpatient falls on Ward 7 by 30% by June 2027"))
    try writer.save(
        Measure(
            id: "falls-rate", programme: "falls", name: "Falls per 1,000 bed days", type: .outcome, chart: .u,
            frequency: .week, direction: .down,
            definition: OperationalDefinition(numerator: "Inpatient falls (Datix)", denominator: "Occupied bed days / 1,000")))
}
let definitions = try coordinator.allChangesForDemo()
try wardA.apply(definitions)
try wardB.apply(definitions)
say("   both ward devices received \(definitions.count) definitions")

say("== Ward 7 records 20 weeks offline on the tablet")
try wardA.write(author: "sister.okafor") { writer in
    for weeksAgo in stride(from: 20, through: 1, by: -1) {
        let falls = weeksAgo > 8 ? Double([5, 6, 4, 7, 5, 6][weeksAgo % 6]) : Double([2, 3, 2, 1][weeksAgo % 4])
        try writer.record(
            ObservationEntry(
                measure: "falls-rate", unit: "ward-7", period: thisWeek.adding(days: -7 * weeksAgo), numerator: falls,
                denominator: 0.9))
    }
}
let lastWeek = thisWeek.adding(days: -7)
usleep(20_000)  // the laptop's entry is made a moment later
say("== Meanwhile the laptop records last week (\(lastWeek)) differently, also offline")
try wardB.write(author: "nurse.patel") { writer in
    try writer.record(
        ObservationEntry(measure: "falls-rate", unit: "ward-7", period: lastWeek, numerator: 4, denominator: 0.9,
            note: "includes two falls on the night of the storm"))
}

say("== The devices reconnect and exchange changes, in opposite orders")
try wardB.apply(try wardA.allChangesForDemo())
try wardA.apply(try wardB.allChangesForDemo())
let seriesA = try wardA.observations(ObservationQuery(measure: "falls-rate"))
let seriesB = try wardB.observations(ObservationQuery(measure: "falls-rate"))
say("   tablet and laptop agree: \(seriesA == seriesB) (\(seriesA.count) weeks each)")
for conflict in try wardA.conflicts() where conflict.field == "numerator" {
    say("   conflict \(conflict.id) on \(conflict.entity) \(conflict.field):")
    say("     kept  \(conflict.winner.value.json) by \(conflict.winner.author)")
    say("     other \(conflict.loser.value.json) by \(conflict.loser.author) — kept for a coordinator to decide")
}

say("== Run chart of falls per 1,000 bed days, Ward 7")
let chart = try ChartAnalysis.analyse(
    measure: "falls-rate", kind: .run,
    points: seriesA.map { ChartInput(period: $0.period.description, numerator: $0.numerator, denominator: $0.denominator) })
let top = chart.points.compactMap(\.value).max() ?? 1
for point in chart.points {
    let value = point.value ?? 0
    let bar = String(repeating: "█", count: Int((value / top * 40).rounded()))
    say("   \(point.period) \(String(format: "%5.1f", value)) \(bar)")
}
say("   median \(String(format: "%.1f", chart.centre ?? 0)); longest run \(chart.runs.longestRun) (signal above \(chart.runs.longestRunMax)); crossings \(chart.runs.crossings) (signal below \(chart.runs.crossingsMin))")
for signal in chart.signals { say("   signal: \(signal.message)") }

extension ImprovementStore {
    func allChangesForDemo() throws -> [Change] {
        var result: [Change] = []
        var after: Int64 = 0
        while case let page = try changes(after: after, limit: 1000), let last = page.last {
            result += page.map(\.change)
            after = last.seq
        }
        return result
    }
}
