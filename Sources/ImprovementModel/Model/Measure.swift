/// A measure of a programme, with its operational definition so every site counts the same way.
public struct Measure: SyncedRecord {
    /// The measure's role in the family of measures: the result sought, a step of the process, or a check for harm elsewhere.
    public enum Kind: String, CaseIterable, Sendable, Codable { case outcome, process, balancing }
    /// How the measure is charted, which also fixes the shape of each data point: the analysis's
    /// own chart kind (one enum for both), except `mr`, which is drawn from an I measure.
    public typealias Chart = ChartKind
    /// How often a data point is recorded; a period starts on its first day (a week on its Monday).
    public enum Frequency: String, CaseIterable, Sendable {
        case day, week, month

        /// The first day of the period that contains `day`.
        public func periodStart(of day: Day) -> Day {
            switch self {
            case .day: day
            case .week: day.startOfWeek
            case .month: day.startOfMonth
            }
        }
    }
    /// Which way is better: up (more is better) or down.
    public enum Direction: String, CaseIterable, Sendable { case up, down }

    /// Measures are synced as `measure` records.
    public static let entityType = EntityType.measure
    /// A short id people type (`falls-rate`), part of each data point's id.
    public var id: String
    /// The programme the measure belongs to; fixed once the measure exists.
    public var programme: String
    /// The name charts and reports show ("Falls per 1,000 bed days").
    public var name: String
    /// Outcome, process or balancing.
    public var type: Kind
    /// The chart the data points are drawn on; it cannot change once the measure has data of another shape.
    public var chart: Chart
    /// Day, week or month; it cannot change once the measure has data (convert it instead).
    public var frequency: Frequency
    /// Which way is an improvement.
    public var direction: Direction
    /// The value aimed for, raw (0.95 for 95%); nil when there is none.
    public var target: Double?
    /// What exactly is counted, and from where.
    public var definition: OperationalDefinition
    /// Who is responsible for the measure's data.
    public var owner: String?
    /// What stored values are multiplied by when shown to people (1,000 for "per 1,000 bed days");
    /// nil means the default: 100 for proportions (shown as %), else 1. Stored values stay raw.
    public var multiplier: Double?
    /// The words after a shown value, e.g. "per 1,000 bed days"; nil derives them from the multiplier.
    public var expressedAs: String?
    /// Values below zero are real for this measure (a difference, a change); run and I charts only.
    public var allowNegative: Bool

    /// A measure with every field given; it is checked when saved (`validate(in:)`).
    public init(
        id: String, programme: String, name: String, type: Kind, chart: Chart, frequency: Frequency,
        direction: Direction, target: Double? = nil, definition: OperationalDefinition = .init(), owner: String? = nil,
        multiplier: Double? = nil, expressedAs: String? = nil, allowNegative: Bool = false
    ) {
        self.id = id
        self.programme = programme
        self.name = name
        self.type = type
        self.chart = chart
        self.frequency = frequency
        self.direction = direction
        self.target = target
        self.definition = definition
        self.owner = owner
        self.multiplier = multiplier
        self.expressedAs = expressedAs
        self.allowNegative = allowNegative
    }

    /// How this measure's values are shown to people.
    public var expression: ValueExpression {
        ValueExpression(chart: chart, multiplier: multiplier, words: expressedAs)
    }

    /// The measure a record's fields describe, as the store and the wire hold them.
    public init(id: String, fields: FieldMap) {
        self.init(
            id: id, programme: fields["programme"]?.text ?? "", name: fields["name"]?.text ?? "",
            type: fields["type"]?.text.flatMap(Kind.init(rawValue:)) ?? .process,
            chart: fields["chart"]?.text.flatMap(Chart.init(rawValue:)) ?? .run,
            frequency: fields["frequency"]?.text.flatMap(Frequency.init(rawValue:)) ?? .week,
            direction: fields["direction"]?.text.flatMap(Direction.init(rawValue:)) ?? .up,
            target: fields["target"]?.number,
            definition: OperationalDefinition(
                numerator: fields["numeratorDefinition"]?.text, denominator: fields["denominatorDefinition"]?.text,
                inclusions: fields["inclusions"]?.text, exclusions: fields["exclusions"]?.text,
                dataSource: fields["dataSource"]?.text, samplingPlan: fields["samplingPlan"]?.text),
            owner: fields["owner"]?.text, multiplier: fields["multiplier"]?.number,
            expressedAs: fields["expressedAs"]?.text, allowNegative: fields["allowNegative"]?.bool ?? false)
    }

    /// The fields stored and synced for this measure.
    public var fields: FieldMap {
        func optional(_ text: String?) -> FieldValue { text.map(FieldValue.text) ?? .null }
        return [
            "programme": .text(programme), "name": .text(name), "type": .text(type.rawValue),
            "chart": .text(chart.rawValue), "frequency": .text(frequency.rawValue),
            "direction": .text(direction.rawValue), "target": target.map(FieldValue.number) ?? .null,
            "numeratorDefinition": optional(definition.numerator),
            "denominatorDefinition": optional(definition.denominator),
            "inclusions": optional(definition.inclusions), "exclusions": optional(definition.exclusions),
            "dataSource": optional(definition.dataSource), "samplingPlan": optional(definition.samplingPlan),
            "owner": optional(owner), "multiplier": multiplier.map(FieldValue.number) ?? .null,
            "expressedAs": optional(expressedAs), "allowNegative": .bool(allowNegative),
        ]
    }

    /// Refuses bad values (an `mr` chart, a multiplier or target out of range, negatives where the chart allows none), an unknown programme, and a frequency or chart change that would mix the shapes of existing data.
    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "measure id")
        if chart == .mr {
            throw ValidationError.invalidChoice(
                field: "chart for a measure", value: "mr",
                allowed: ["i (its moving ranges are drawn with improve chart --kind mr)"]
                    + ChartKind.measureKinds.map(\.rawValue))
        }
        _ = try Check.required(
            name, field: "measure name", hint: "Name what is measured, e.g. \"Falls per 1,000 bed days\".")
        try Check.number(multiplier, field: "multiplier")
        if let multiplier, multiplier <= 0 || multiplier > 1_000_000_000 {
            throw ValidationError.invalidChoice(
                field: "multiplier", value: ValidationError.format(multiplier),
                allowed: ["a number above 0 such as 100 (per cent) or 1000 (per 1,000)"])
        }
        try Check.length(expressedAs, field: "expressed as", limit: 100)
        if allowNegative, !chart.mayBeNegative {
            throw ValidationError.invalidChoice(
                field: "chart for a measure that may go below zero", value: chart.rawValue,
                allowed: ["run", "i"])
        }
        if let target, !target.isFinite { throw ValidationError.notFinite(field: "target") }
        if let target, target < 0, !allowNegative { throw ValidationError.negative(field: "target", value: target) }
        if let target, chart.isProportion, target > 1 {
            throw ValidationError.invalidChoice(
                field: "target for a proportion", value: expression.text(target),
                allowed: ["between \(expression.text(0)) and \(expression.text(1))"])
        }
        for (field, text) in [
            ("numerator definition", definition.numerator), ("denominator definition", definition.denominator),
            ("inclusions", definition.inclusions), ("exclusions", definition.exclusions),
            ("data source", definition.dataSource), ("sampling plan", definition.samplingPlan),
        ] {
            try Check.length(text, field: field)
        }
        try Check.length(owner, field: "owner", limit: 200)
        _ = try context.requireExisting(.programme, programme)
        try keepsSeriesWhole(in: context)
    }

    /// A measure with data keeps its frequency, and its chart keeps reading the data the same way:
    /// otherwise weekly and monthly points, or values and ratios, would be mixed in one series.
    private func keepsSeriesWhole(in context: some ValidationContext) throws {
        guard let stored = try context.fields(of: .measure, id: id).map({ Measure(id: id, fields: $0) }) else { return }
        let changesFrequency = stored.frequency != frequency
        let changesShape =
            stored.chart.needsNumeratorAndDenominator != chart.needsNumeratorAndDenominator
            || (stored.chart.isCount != chart.isCount && chart.isCount)
            || (stored.allowNegative && !allowNegative)
        guard changesFrequency || changesShape else { return }
        let count = try context.liveObservationCount(measure: id)
        guard count > 0 else { return }
        if changesFrequency {
            throw ValidationError.seriesWouldMix(
                measure: name, count: count,
                change: "its frequency from \(stored.frequency.rawValue) to \(frequency.rawValue)",
                remedy: "Add a new measure for the \(frequency.rawValue)ly data, or convert the existing data with "
                    + "improve measure convert \(id) --frequency \(frequency.rawValue) (it merges the periods and says how many)."
            )
        }
        throw ValidationError.seriesWouldMix(
            measure: name, count: count,
            change: stored.allowNegative && !allowNegative
                ? "it to refuse values below zero" : "its chart from \(stored.chart.rawValue) to \(chart.rawValue)",
            remedy: "Add a new measure with the new chart and record its data there; the existing points fit only the "
                + "\(stored.chart.rawValue) chart.")
    }
}

/// What exactly is counted, so two wards reporting the same measure mean the same thing.
public struct OperationalDefinition: Equatable, Sendable {
    /// What counts as an event (a fall: any unplanned descent to the floor).
    public var numerator: String?
    /// What the events are counted out of (occupied bed days).
    public var denominator: String?
    /// Who or what is included.
    public var inclusions: String?
    /// Who or what is left out.
    public var exclusions: String?
    /// Where the numbers come from (the incident system, a daily census).
    public var dataSource: String?
    /// Which cases are looked at, and how often (every patient, 10 notes a week).
    public var samplingPlan: String?

    /// A definition; any part may be left out.
    public init(
        numerator: String? = nil, denominator: String? = nil, inclusions: String? = nil, exclusions: String? = nil,
        dataSource: String? = nil, samplingPlan: String? = nil
    ) {
        self.numerator = numerator
        self.denominator = denominator
        self.inclusions = inclusions
        self.exclusions = exclusions
        self.dataSource = dataSource
        self.samplingPlan = samplingPlan
    }
}
