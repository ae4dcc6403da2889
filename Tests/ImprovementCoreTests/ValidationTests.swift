import ImprovementCore
import Testing

/// Each check refuses bad input with a message that says what to do, and writes nothing.
@Suite("Validation")
struct ValidationTests {
    let store: ImprovementStore
    let week = Day("2026-05-25")!  // a Monday before "today" (2026-06-01)

    init() throws {
        store = try .inMemory(replica: "device")
        try store.addFallsProgramme()
    }

    /// Runs `body`, expects a refusal whose message contains every fragment, and checks nothing was logged.
    func expectRefusal(_ fragments: [String], _ body: (StoreWriter) throws -> Void) throws {
        let before = try store.lastSequence()
        var message = ""
        do {
            try store.write(author: "nurse") { try body($0) }
        } catch {
            message = String(describing: error)
        }
        #expect(!message.isEmpty, "expected a refusal")
        for fragment in fragments {
            #expect(message.contains(fragment), "message was: \(message)")
        }
        #expect(try store.lastSequence() == before, "a refused write must log nothing")
    }

    @Test func numeratorMayNotExceedDenominator() throws {
        try expectRefusal(["numerator (12) is larger than the denominator (10)"]) {
            try $0.record(
                ObservationEntry(measure: "risk-assessed", unit: "ward-7", period: week, numerator: 12, denominator: 10)
            )
        }
    }

    @Test func negativeNumbersAreRefused() throws {
        try expectRefusal(["numerator is -1", "cannot be negative"]) {
            try $0.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-7", period: week, numerator: -1, denominator: 300))
        }
        try expectRefusal(["value is -3", "cannot be negative"]) {
            try $0.record(ObservationEntry(measure: "sedation", unit: "ward-7", period: week, value: -3))
        }
    }

    @Test func notANumberAndInfinityAreRefused() throws {
        try expectRefusal(["value is not a number"]) {
            try $0.record(ObservationEntry(measure: "sedation", unit: "ward-7", period: week, value: .nan))
        }
        try expectRefusal(["denominator is not a number"]) {
            try $0.record(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-7", period: week, numerator: 1, denominator: .infinity))
        }
    }

    @Test func proportionsAndRatesNeedADenominatorAboveZero() throws {
        try expectRefusal(["denominator for Falls per 1,000 bed days is 0"]) {
            try $0.record(
                ObservationEntry(measure: "falls-rate", unit: "ward-7", period: week, numerator: 0, denominator: 0))
        }
    }

    @Test func valueShapeMustMatchTheChartKind() throws {
        try expectRefusal(["charted as a p chart", "numerator and a denominator"]) {
            try $0.record(ObservationEntry(measure: "risk-assessed", unit: "ward-7", period: week, value: 0.9))
        }
        try expectRefusal(["charted as a i chart", "single value"]) {
            try $0.record(
                ObservationEntry(measure: "sedation", unit: "ward-7", period: week, numerator: 1, denominator: 2))
        }
        try expectRefusal(["counts events", "whole number"]) {
            try $0.record(ObservationEntry(measure: "days-between", unit: "ward-7", period: week, value: 2.5))
        }
    }

    @Test func periodsInTheFutureAreRefused() throws {
        try expectRefusal(["period 2026-06-08 is in the future (today is 2026-06-01)"]) {
            try $0.record(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-7", period: Day("2026-06-10")!, numerator: 1, denominator: 300))
        }
    }

    @Test func periodsAreNormalisedToTheStartOfTheMeasuresPeriod() throws {
        let observation = try store.write(author: "nurse") { writer in
            try writer.record(
                ObservationEntry(
                    measure: "falls-rate", unit: "ward-7", period: Day("2026-05-28")!, numerator: 2, denominator: 310))
        }
        #expect(observation.period.description == "2026-05-25")
        #expect(observation.id == "falls-rate/ward-7/2026-05-25")
        let monthly = try store.write(author: "nurse") { writer in
            try writer.record(
                ObservationEntry(measure: "sedation", unit: "ward-7", period: Day("2026-05-19")!, value: 4))
        }
        #expect(monthly.period.description == "2026-05-01")
        // The current period has started, so it may be recorded even though it has not ended.
        let current = try store.write(author: "nurse") { writer in
            try writer.record(
                ObservationEntry(measure: "sedation", unit: "ward-7", period: Day("2026-06-01")!, value: 3))
        }
        #expect(current.period.description == "2026-06-01")
    }

    @Test func referencesMustExist() throws {
        try expectRefusal(["no measure \"falls-rates\" on this device", "sync to receive it"]) {
            try $0.record(ObservationEntry(measure: "falls-rates", unit: "ward-7", period: week, value: 1))
        }
        try expectRefusal(["no unit \"ward-8\""]) {
            try $0.record(ObservationEntry(measure: "sedation", unit: "ward-8", period: week, value: 1))
        }
        try expectRefusal(["no site \"east\""]) { try $0.save(Unit(id: "ward-e", site: "east", name: "East")) }
        try expectRefusal(["no programme \"sepsis\""]) {
            try $0.save(
                Measure(
                    id: "lactate", programme: "sepsis", name: "Lactate within 1 h", type: .process, chart: .p,
                    frequency: .week, direction: .up))
        }
    }

    @Test func deletedRecordsCannotBeReferenced() throws {
        try store.write(author: "coordinator") { try $0.delete(.unit, id: "ward-9") }
        try expectRefusal(["no unit \"ward-9\""]) {
            try $0.record(ObservationEntry(measure: "sedation", unit: "ward-9", period: week, value: 1))
        }
    }

    @Test func idsAndChoicesAreChecked() throws {
        try expectRefusal(["\"Ward 7\" cannot be used as the unit id", "no spaces"]) {
            try $0.save(Unit(id: "Ward 7", site: "north", name: "Ward 7"))
        }
        try expectRefusal(["site name is missing"]) { try $0.save(Site(id: "east", name: "  ")) }
        try expectRefusal(["aim statement is missing", "by how much"]) {
            try $0.save(Programme(id: "sepsis", name: "Sepsis", aim: ""))
        }
        try expectRefusal(["target for a proportion", "between 0% and 100%"]) {
            try $0.save(
                Measure(
                    id: "screened", programme: "falls", name: "Screened", type: .process, chart: .pp, frequency: .week,
                    direction: .up, target: 80))
        }
    }

    @Test func datesMustBeInOrder() throws {
        try expectRefusal(["end date 2026-01-01 is before the start date 2026-03-01"]) {
            try $0.save(
                Programme(
                    id: "sepsis", name: "Sepsis", aim: "Treat sepsis within the hour", start: Day("2026-03-01"),
                    end: Day("2026-01-01")))
        }
    }

    @Test func identifyingFieldsCannotChange() throws {
        try expectRefusal(["site of an existing unit cannot be changed"]) {
            try $0.save(Unit(id: "ward-7", site: "south", name: "Ward 7"))
        }
    }

    @Test func driverDiagramLinksFollowTheDiagramsLevels() throws {
        try store.write(author: "coordinator") { writer in
            try writer.save(DriverNode(id: "d1", programme: "falls", kind: .primary, text: "Reliable risk assessment"))
        }
        try expectRefusal(["change node links to a secondary or primary driver"]) {
            try $0.save(DriverNode(id: "c1", programme: "falls", kind: .change, text: "Bedside checklist"))
        }
        // A change idea may hang straight off a primary driver, but not off another change idea.
        try store.write(author: "coordinator") { writer in
            try writer.save(
                DriverNode(id: "c1", programme: "falls", kind: .change, text: "Bedside checklist", parent: "d1"))
        }
        try expectRefusal(["parent kind for a change node", "secondary, primary"]) {
            try $0.save(DriverNode(id: "c2", programme: "falls", kind: .change, text: "Falls huddle", parent: "c1"))
        }
    }

    @Test func aPDSADecisionNeedsAStudy() throws {
        try store.write(author: "coordinator") { writer in
            try writer.save(DriverNode(id: "d1", programme: "falls", kind: .primary, text: "Reliable risk assessment"))
            try writer.save(
                DriverNode(id: "d2", programme: "falls", kind: .secondary, text: "Assess on admission", parent: "d1"))
            try writer.save(DriverNode(id: "c1", programme: "falls", kind: .change, text: "Checklist", parent: "d2"))
        }
        try expectRefusal(["study is missing", "before deciding"]) {
            try $0.save(
                PDSACycle(
                    id: "p1", changeIdea: "c1", site: "north", title: "Checklist on nights", plan: "Try for a week",
                    act: .adopt))
        }
        try store.write(author: "nurse") { writer in
            try writer.save(
                PDSACycle(
                    id: "p1", changeIdea: "c1", site: "north", unit: "ward-7", title: "Checklist on nights",
                    plan: "Try for a week", prediction: "80% assessed", study: "92% assessed", act: .adopt))
        }
        #expect(try store.record(PDSACycle.self, id: "p1")?.act == .adopt)
    }
}
