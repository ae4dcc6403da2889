/// A measure of a programme, with its operational definition so every site counts the same way.
public struct Measure: SyncedRecord {
    public enum Kind: String, CaseIterable, Sendable { case outcome, process, balancing }
    /// How the measure is charted, which also fixes the shape of each data point.
    public enum Chart: String, CaseIterable, Sendable {
        case run, i, p, u, c, pp, up, g

        /// Proportions and rates: numerator and denominator on every point.
        public var needsNumeratorAndDenominator: Bool { [.p, .pp, .u, .up].contains(self) }
        /// Proportions: the numerator is part of the denominator.
        public var isProportion: Bool { self == .p || self == .pp }
        /// Counts of events or cases: whole numbers only.
        public var isCount: Bool { self == .c || self == .g }
    }
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
    public enum Direction: String, CaseIterable, Sendable { case up, down }

    public static let entityType = EntityType.measure
    public var id: String
    public var programme: String
    public var name: String
    public var type: Kind
    public var chart: Chart
    public var frequency: Frequency
    public var direction: Direction
    public var target: Double?
    public var definition: OperationalDefinition
    public var owner: String?

    public init(
        id: String, programme: String, name: String, type: Kind, chart: Chart, frequency: Frequency,
        direction: Direction, target: Double? = nil, definition: OperationalDefinition = .init(), owner: String? = nil
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
    }

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
            owner: fields["owner"]?.text)
    }

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
            "owner": optional(owner),
        ]
    }

    public func validate(in context: some ValidationContext) throws {
        try Check.id(id, field: "measure id")
        _ = try Check.required(name, field: "measure name", hint: "Name what is measured, e.g. \"Falls per 1,000 bed days\".")
        try Check.number(target, field: "target")
        if let target, chart.isProportion, target > 1 {
            throw ValidationError.invalidChoice(
                field: "target for a proportion", value: ValidationError.format(target),
                allowed: ["a fraction between 0 and 1 (80% is 0.8)"])
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
    }
}

/// What exactly is counted, so two wards reporting the same measure mean the same thing.
public struct OperationalDefinition: Equatable, Sendable {
    public var numerator: String?
    public var denominator: String?
    public var inclusions: String?
    public var exclusions: String?
    public var dataSource: String?
    public var samplingPlan: String?

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
