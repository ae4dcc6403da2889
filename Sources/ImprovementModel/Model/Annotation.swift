/// A dated note on a measure's chart; it may mark a change that starts a new phase.
public struct Annotation: SyncedRecord {
    /// Annotations are synced as `annotation` records.
    public static let entityType = EntityType.annotation
    /// The annotation's id, chosen when it is made.
    public var id: String
    /// The measure whose chart carries the note.
    public var measure: String
    /// The site the note applies to; nil for a note on every site's chart.
    public var site: String?
    /// The unit the note applies to (of `site`); nil for the whole site.
    public var unit: String?
    /// The day the note is placed at; never in the future.
    public var date: Day
    /// What happened, in the team's words ("New falls bundle started").
    public var text: String
    /// The change starts a new phase at the period containing `date`: the chart computes new lines from there.
    public var startsPhase: Bool
    /// The point of the period containing `date` is a special cause with a known reason (`text`):
    /// it stays plotted and marked but is left out of the centre line and limits (qicharts2's `exclude`).
    public var excludesPoint: Bool

    /// An annotation with every field given; it is checked when saved (`validate(in:)`).
    public init(
        id: String, measure: String, site: String? = nil, unit: String? = nil, date: Day, text: String,
        startsPhase: Bool = false, excludesPoint: Bool = false
    ) {
        self.id = id
        self.measure = measure
        self.site = site
        self.unit = unit
        self.date = date
        self.text = text
        self.startsPhase = startsPhase
        self.excludesPoint = excludesPoint
    }

    /// The annotation a record's fields describe, as the store and the wire hold them.
    public init(id: String, fields: FieldMap) {
        self.init(
            id: id, measure: fields["measure"]?.text ?? "", site: fields["site"]?.text, unit: fields["unit"]?.text,
            date: fields["date"]?.text.flatMap(Day.init) ?? Day(dayNumber: 0), text: fields["text"]?.text ?? "",
            startsPhase: fields["startsPhase"]?.bool ?? false, excludesPoint: fields["excludesPoint"]?.bool ?? false)
    }

    /// The fields stored and synced for this annotation.
    public var fields: FieldMap {
        [
            "measure": .text(measure), "site": site.map(FieldValue.text) ?? .null,
            "unit": unit.map(FieldValue.text) ?? .null, "date": .text(date.description), "text": .text(text),
            "startsPhase": .bool(startsPhase), "excludesPoint": .bool(excludesPoint),
        ]
    }

    /// Refuses empty text, unknown references, a date in the future, and a note that both starts a phase and excludes its point.
    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "annotation id")
        _ = try Check.required(
            text, field: "annotation text", hint: "Say what happened, e.g. \"New falls bundle started\".")
        _ = try context.requireExisting(.measure, measure)
        if let site { _ = try context.requireExisting(.site, site) }
        if let unit {
            let unitFields = try context.requireExisting(.unit, unit)
            guard site != nil, unitFields["site"]?.text == site else {
                throw ValidationError.unknownReference(kind: "unit at site \(site ?? "(none given)")", id: unit)
            }
        }
        if date > context.today { throw ValidationError.periodInFuture(period: date, today: context.today) }
        if startsPhase, excludesPoint {
            throw ValidationError.invalidChoice(
                field: "note", value: "a new phase that also excludes its point",
                allowed: ["a note that starts a phase", "a note that excludes one point from the limits"])
        }
    }

    /// Whether the note belongs on the chart of this site's (nil: every site pooled) and unit's
    /// (nil: the site's units pooled) series: a note for every site applies everywhere, a site's
    /// note to that site and its units, a unit's note to that unit only.
    public func applies(site chartSite: String?, unit chartUnit: String?) -> Bool {
        (site == nil || site == chartSite) && (unit == nil || unit == chartUnit)
    }
}

/// A Plan-Do-Study-Act cycle testing one change idea.
public struct PDSACycle: SyncedRecord {
    /// What the team decided after studying the cycle.
    public enum Act: String, CaseIterable, Sendable { case adopt, adapt, abandon }

    /// PDSA cycles are synced as `pdsa` records.
    public static let entityType = EntityType.pdsa
    /// The cycle's id, chosen when it is made.
    public var id: String
    /// The driver-diagram change idea (a `DriverNode` of kind change) the cycle tests.
    public var changeIdea: String
    /// The site running the cycle.
    public var site: String
    /// The unit running it, if one unit does.
    public var unit: String?
    /// A short name for the cycle.
    public var title: String
    /// Plan: what will be tried, by whom, when.
    public var plan: String
    /// What the team expects to happen.
    public var prediction: String?
    /// Do: what actually happened while it was tried.
    public var doNotes: String?
    /// Study: what the data and the team learned.
    public var study: String?
    /// Act: adopt, adapt or abandon; nil while the cycle runs.
    public var act: Act?
    /// The first day of the cycle; nil until it starts.
    public var start: Day?
    /// The last day of the cycle; nil while it runs.
    public var end: Day?
    /// Who leads the cycle.
    public var owner: String?
    /// The cycle this one follows on from, for a ramp of cycles.
    public var previous: String?

    /// A cycle with every field given; it is checked when saved (`validate(in:)`).
    public init(
        id: String, changeIdea: String, site: String, unit: String? = nil, title: String, plan: String,
        prediction: String? = nil, doNotes: String? = nil, study: String? = nil, act: Act? = nil, start: Day? = nil,
        end: Day? = nil, owner: String? = nil, previous: String? = nil
    ) {
        self.id = id
        self.changeIdea = changeIdea
        self.site = site
        self.unit = unit
        self.title = title
        self.plan = plan
        self.prediction = prediction
        self.doNotes = doNotes
        self.study = study
        self.act = act
        self.start = start
        self.end = end
        self.owner = owner
        self.previous = previous
    }

    /// The cycle a record's fields describe, as the store and the wire hold them.
    public init(id: String, fields: FieldMap) {
        self.init(
            id: id, changeIdea: fields["changeIdea"]?.text ?? "", site: fields["site"]?.text ?? "",
            unit: fields["unit"]?.text, title: fields["title"]?.text ?? "", plan: fields["plan"]?.text ?? "",
            prediction: fields["prediction"]?.text, doNotes: fields["do"]?.text, study: fields["study"]?.text,
            act: fields["act"]?.text.flatMap(Act.init(rawValue:)), start: fields["start"]?.text.flatMap(Day.init),
            end: fields["end"]?.text.flatMap(Day.init), owner: fields["owner"]?.text, previous: fields["previous"]?.text
        )
    }

    /// The fields stored and synced for this cycle.
    public var fields: FieldMap {
        func optional(_ text: String?) -> FieldValue { text.map(FieldValue.text) ?? .null }
        return [
            "changeIdea": .text(changeIdea), "site": .text(site), "unit": optional(unit), "title": .text(title),
            "plan": .text(plan), "prediction": optional(prediction), "do": optional(doNotes),
            "study": optional(study), "act": optional(act?.rawValue), "start": optional(start?.description),
            "end": optional(end?.description), "owner": optional(owner), "previous": optional(previous),
        ]
    }

    /// Refuses missing text, unknown references and dates that do not fit.
    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "PDSA cycle id")
        _ = try Check.required(
            title, field: "PDSA title", hint: "Name the test, e.g. \"Intentional rounding, night shift\".")
        _ = try Check.required(plan, field: "plan", hint: "Say what will be tried, by whom, where and when.")
        for (field, text) in [("prediction", prediction), ("do notes", doNotes), ("study", study)] {
            try Check.length(text, field: field)
        }
        let idea = try context.requireExisting(.driver, changeIdea, as: "change idea")
        guard idea["kind"]?.text == DriverNode.Kind.change.rawValue else {
            throw ValidationError.invalidChoice(
                field: "change idea", value: changeIdea, allowed: ["a driver-diagram node of kind change"])
        }
        _ = try context.requireExisting(.site, site)
        if let unit {
            let unitFields = try context.requireExisting(.unit, unit)
            guard unitFields["site"]?.text == site else {
                throw ValidationError.unknownReference(kind: "unit at site \(site)", id: unit)
            }
        }
        if let previous { _ = try context.requireExisting(.pdsa, previous, as: "PDSA cycle") }
        if act != nil, study == nil {
            throw ValidationError.missing(
                field: "study", hint: "Write what the data showed before deciding to adopt, adapt or abandon.")
        }
        if let start, let end, end < start { throw ValidationError.endBeforeStart(start: start, end: end) }
    }
}

/// A patient story, staff feedback or an observed side effect, kept beside the numbers.
public struct Story: SyncedRecord {
    /// Whose account the story is.
    public enum Kind: String, CaseIterable, Sendable {
        case patient, staff
        case sideEffect = "side-effect"
    }

    /// Stories are synced as `story` records.
    public static let entityType = EntityType.story
    /// The story's id, chosen when it is made.
    public var id: String
    /// A patient's story, staff feedback or a side effect seen.
    public var kind: Kind
    /// The site the story comes from.
    public var site: String
    /// The unit it comes from, if known.
    public var unit: String?
    /// The measure it sheds light on, if any.
    public var measure: String?
    /// The day it happened or was told.
    public var date: Day
    /// A short heading, if given.
    public var title: String?
    /// The story in the teller's words.
    public var text: String

    /// A story with every field given; it is checked when saved (`validate(in:)`).
    public init(
        id: String, kind: Kind, site: String, unit: String? = nil, measure: String? = nil, date: Day,
        title: String? = nil, text: String
    ) {
        self.id = id
        self.kind = kind
        self.site = site
        self.unit = unit
        self.measure = measure
        self.date = date
        self.title = title
        self.text = text
    }

    /// The story a record's fields describe, as the store and the wire hold them.
    public init(id: String, fields: FieldMap) {
        self.init(
            id: id, kind: fields["kind"]?.text.flatMap(Kind.init(rawValue:)) ?? .staff,
            site: fields["site"]?.text ?? "",
            unit: fields["unit"]?.text, measure: fields["measure"]?.text,
            date: fields["date"]?.text.flatMap(Day.init) ?? Day(dayNumber: 0), title: fields["title"]?.text,
            text: fields["text"]?.text ?? "")
    }

    /// The fields stored and synced for this story.
    public var fields: FieldMap {
        [
            "kind": .text(kind.rawValue), "site": .text(site), "unit": unit.map(FieldValue.text) ?? .null,
            "measure": measure.map(FieldValue.text) ?? .null, "date": .text(date.description),
            "title": title.map(FieldValue.text) ?? .null, "text": .text(text),
        ]
    }

    /// Refuses empty text, unknown references and a date in the future.
    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "story id")
        _ = try Check.required(text, field: "story text", hint: "Write the story in the words it was told.")
        try Check.length(title, field: "title", limit: 200)
        _ = try context.requireExisting(.site, site)
        if let unit {
            let unitFields = try context.requireExisting(.unit, unit)
            guard unitFields["site"]?.text == site else {
                throw ValidationError.unknownReference(kind: "unit at site \(site)", id: unit)
            }
        }
        if let measure { _ = try context.requireExisting(.measure, measure) }
        if date > context.today { throw ValidationError.periodInFuture(period: date, today: context.today) }
    }
}
