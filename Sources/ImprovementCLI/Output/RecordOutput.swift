import Foundation
import ImprovementCore

/// JSON and table forms of the records the list and show commands print.
enum RecordOutput {
    // MARK: - Observations

    static func json(_ observation: Observation) -> JSONOut {
        .object([
            ("id", .string(observation.id)), ("measure", .string(observation.measure)),
            ("unit", .string(observation.unit)), ("site", .string(observation.site)),
            ("period", .string(observation.period.description)), ("numerator", .number(observation.numerator)),
            ("denominator", .number(observation.denominator)), ("value", .number(observation.value)),
            ("note", .text(observation.note)), ("recordedBy", .text(observation.recordedBy)),
        ])
    }

    static func observationTable() -> TextTable {
        TextTable(
            ["period", "measure", "unit", "site", "numerator", "denominator", "value", "note", "recorded by"],
            rightAligned: [4, 5, 6])
    }

    static func row(_ observation: Observation) -> [String] {
        [
            observation.period.description, observation.measure, observation.unit, observation.site,
            NumberText.cell(observation.numerator), NumberText.cell(observation.denominator),
            NumberText.cell(observation.value), observation.note ?? "", observation.recordedBy ?? "",
        ]
    }

    // MARK: - Definitions

    static func json(_ site: Site) -> JSONOut {
        .object([("id", .string(site.id)), ("name", .string(site.name))])
    }

    static func json(_ unit: ImprovementCore.Unit) -> JSONOut {
        .object([
            ("id", .string(unit.id)), ("site", .string(unit.site)), ("name", .string(unit.name)),
            ("kind", .string(unit.kind.rawValue)),
        ])
    }

    static func json(_ programme: Programme) -> JSONOut {
        .object([
            ("id", .string(programme.id)), ("name", .string(programme.name)), ("aim", .string(programme.aim)),
            ("start", .text(programme.start?.description)), ("end", .text(programme.end?.description)),
            ("status", .string(programme.status.rawValue)), ("owner", .text(programme.owner)),
        ])
    }

    static func json(_ measure: Measure) -> JSONOut {
        let definition = measure.definition
        return .object([
            ("id", .string(measure.id)), ("programme", .string(measure.programme)), ("name", .string(measure.name)),
            ("type", .string(measure.type.rawValue)), ("chart", .string(measure.chart.rawValue)),
            ("frequency", .string(measure.frequency.rawValue)), ("direction", .string(measure.direction.rawValue)),
            ("target", .number(measure.target)),
            (
                "definition",
                .object([
                    ("numerator", .text(definition.numerator)), ("denominator", .text(definition.denominator)),
                    ("inclusions", .text(definition.inclusions)), ("exclusions", .text(definition.exclusions)),
                    ("dataSource", .text(definition.dataSource)), ("samplingPlan", .text(definition.samplingPlan)),
                ])
            ),
            ("owner", .text(measure.owner)),
            // How values are shown: the effective multiplier and words (raw values stay raw).
            ("multiplier", .number(measure.expression.multiplier)), ("expressedAs", .text(measure.expression.words)),
            ("allowNegative", .bool(measure.allowNegative)),
        ])
    }

    static func json(_ node: DriverNode) -> JSONOut {
        .object([
            ("id", .string(node.id)), ("programme", .string(node.programme)), ("kind", .string(node.kind.rawValue)),
            ("text", .string(node.text)), ("parent", .text(node.parent)),
            ("measures", .array(node.measures.map { .string($0) })),
        ])
    }

    // MARK: - Learning

    static func json(_ cycle: PDSACycle) -> JSONOut {
        .object([
            ("id", .string(cycle.id)), ("changeIdea", .string(cycle.changeIdea)), ("site", .string(cycle.site)),
            ("unit", .text(cycle.unit)), ("title", .string(cycle.title)), ("plan", .string(cycle.plan)),
            ("prediction", .text(cycle.prediction)), ("do", .text(cycle.doNotes)), ("study", .text(cycle.study)),
            ("act", .text(cycle.act?.rawValue)), ("start", .text(cycle.start?.description)),
            ("end", .text(cycle.end?.description)), ("owner", .text(cycle.owner)), ("previous", .text(cycle.previous)),
        ])
    }

    static func json(_ story: Story) -> JSONOut {
        .object([
            ("id", .string(story.id)), ("kind", .string(story.kind.rawValue)), ("site", .string(story.site)),
            ("unit", .text(story.unit)), ("measure", .text(story.measure)), ("date", .string(story.date.description)),
            ("title", .text(story.title)), ("text", .string(story.text)),
        ])
    }

    static func json(_ annotation: Annotation) -> JSONOut {
        .object([
            ("id", .string(annotation.id)), ("measure", .string(annotation.measure)), ("site", .text(annotation.site)),
            ("unit", .text(annotation.unit)), ("date", .string(annotation.date.description)),
            ("text", .string(annotation.text)), ("startsPhase", .bool(annotation.startsPhase)),
            ("excludesPoint", .bool(annotation.excludesPoint)),
        ])
    }

    // MARK: - Conflicts and history

    static func json(_ conflict: Conflict) -> JSONOut {
        func side(_ side: Conflict.Side) -> JSONOut {
            .object([
                ("value", NumberText.jsonValue(side.value)), ("author", .string(side.author)),
                ("replica", .string(side.replica)), ("hlc", .string(side.hlc.description)),
            ])
        }
        return .object([
            ("id", .string(conflict.id)), ("kind", .string(conflict.kind.rawValue)), ("type", .string(conflict.type)),
            ("entity", .string(conflict.entity)), ("site", .text(conflict.site)), ("field", .string(conflict.field)),
            ("winner", side(conflict.winner)), ("loser", side(conflict.loser)),
            ("resolved", .bool(conflict.isResolved)),
            ("resolution", .text(conflict.resolution?.rawValue)),
        ])
    }

    /// A conflict as a coordinator reads it, with the command that settles it.
    static func text(_ conflict: Conflict) -> String {
        let place = conflict.site.map { " at \($0)" } ?? ""
        var out = "conflict \(conflict.id): \(conflict.type) \(conflict.entity)\(place), \(conflict.field)"
        if conflict.kind == .delete { out += " (edited on one device, deleted on another)" }
        out += "\n"
        let keptLabel = conflict.kind == .delete ? "deleted" : "kept   "
        out += "  \(keptLabel) \(describe(conflict.winner, deletion: conflict.kind == .delete))  [winner]\n"
        out += "  other   \(describe(conflict.loser, deletion: false))  [loser]\n"
        if let resolution = conflict.resolution {
            out += "  settled: the coordinator kept the \(resolution.rawValue)"
        } else {
            out += "  settle with: improve conflicts resolve \(conflict.id) --keep winner|loser"
        }
        return out
    }

    private static func describe(_ side: Conflict.Side, deletion: Bool) -> String {
        let value = deletion ? "" : NumberText.value(side.value) + " "
        return "\(value)by \(side.author) on \(side.replica), \(NumberText.time(side.hlc))"
    }

    static func json(_ logged: LoggedChange) -> JSONOut {
        let change = logged.change
        return .object([
            ("id", .string(change.id)), ("replica", .string(change.replica)), ("author", .string(change.author)),
            ("hlc", .string(change.hlc.description)), ("time", .string(NumberText.iso(change.hlc.date))),
            ("fields", .object(change.fields.keys.sorted().map { ($0, NumberText.jsonValue(change.fields[$0]!)) })),
        ])
    }
}

extension HLC {
    /// The wall-clock moment of the stamp.
    var date: Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
