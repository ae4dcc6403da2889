/// One data point of a measure for one unit and period.
///
/// Its id is derived from (measure, unit, period start), so the same week recorded on two
/// devices is one record that merges, never two rows that double-count.
public struct Observation: SyncedRecord {
    /// Observations are synced as `observation` records.
    public static let entityType = EntityType.observation
    /// `measure/unit/period`, so the same period recorded twice is one record (`id(measure:unit:period:)`).
    public var id: String { Observation.id(measure: measure, unit: unit, period: period) }
    /// The measure the point belongs to.
    public var measure: String
    /// The unit it was recorded for.
    public var unit: String
    /// The unit's site (the record's sync scope).
    public var site: String
    /// The first day of the measure's day, week (a Monday) or month the point covers.
    public var period: Day
    /// For ratio charts (P and U charts): the count of events.
    public var numerator: Double?
    /// For ratio charts: what the events are counted out of (patients, bed days); more than 0.
    public var denominator: Double?
    /// For charts of single values (a run chart, an I chart): the measured value. Nil for ratio charts.
    public var value: Double?
    /// What the team wants remembered about this point.
    public var note: String?
    /// Who recorded the current values (bookkeeping: it follows the values, never conflicts on its own).
    public var recordedBy: String?

    /// A data point with every field given; it is checked when saved (`validate(in:)`).
    public init(
        measure: String, unit: String, site: String, period: Day, numerator: Double? = nil,
        denominator: Double? = nil, value: Double? = nil, note: String? = nil, recordedBy: String? = nil
    ) {
        self.measure = measure
        self.unit = unit
        self.site = site
        self.period = period
        self.numerator = numerator
        self.denominator = denominator
        self.value = value
        self.note = note
        self.recordedBy = recordedBy
    }

    /// The data point a record's fields describe; `id` is ignored, as the fields determine it.
    public init(id: String, fields: FieldMap) {
        self.init(
            measure: fields["measure"]?.text ?? "", unit: fields["unit"]?.text ?? "", site: fields["site"]?.text ?? "",
            period: fields["period"]?.text.flatMap(Day.init) ?? Day(dayNumber: 0),
            numerator: fields["numerator"]?.number, denominator: fields["denominator"]?.number,
            value: fields["value"]?.number, note: fields["note"]?.text, recordedBy: fields["recordedBy"]?.text)
    }

    /// The record id of the point of `measure` for `unit` in the period starting at `period`.
    public static func id(measure: String, unit: String, period: Day) -> String {
        measure + "/" + unit + "/" + period.description
    }

    /// The fields stored and synced for this data point.
    public var fields: FieldMap {
        [
            "measure": .text(measure), "unit": .text(unit), "site": .text(site), "period": .text(period.description),
            "numerator": numerator.map(FieldValue.number) ?? .null,
            "denominator": denominator.map(FieldValue.number) ?? .null,
            "value": value.map(FieldValue.number) ?? .null, "note": note.map(FieldValue.text) ?? .null,
            "recordedBy": recordedBy.map(FieldValue.text) ?? .null,
        ]
    }

    /// Refuses unknown references, values the measure's chart cannot take, implausible numbers and periods in the future.
    public func validate(in context: some ValidationContext) throws {
        try Check.id(measure, field: "measure")
        try Check.id(unit, field: "unit")
        let measureFields = try context.requireExisting(.measure, measure)
        let definition = Measure(id: measure, fields: measureFields)
        let unitFields = try context.requireExisting(.unit, unit)
        guard unitFields["site"]?.text == site else {
            throw ValidationError.unknownReference(kind: "unit at site \(site)", id: unit)
        }
        try validateShape(for: definition, today: context.today)
    }

    /// The checks that need only the measure's definition: shape of the value, numbers, period.
    public func validateShape(for definition: Measure, today: Day) throws(ValidationError) {
        try Check.number(numerator, field: "numerator")
        try Check.number(denominator, field: "denominator")
        if definition.allowNegative, definition.chart.mayBeNegative {
            // A difference or a change (weight change, minutes early or late) is routinely negative.
            if let value, !value.isFinite { throw ValidationError.notFinite(field: "value") }
        } else {
            try Check.number(value, field: "value")
        }
        try Check.length(note, field: "note", limit: 2000)
        let chart = definition.chart
        let hasRatio = numerator != nil || denominator != nil
        if chart.needsNumeratorAndDenominator || (chart == .run && hasRatio) {
            guard let numerator, let denominator, value == nil else {
                throw ValidationError.wrongShape(
                    measure: definition.name, chart: chart.rawValue,
                    needs: chart == .run
                        ? "either a value, or a numerator and a denominator (not both)"
                        : "a numerator and a denominator (and no single value)")
            }
            guard denominator > 0 else { throw ValidationError.zeroDenominator(measure: definition.name) }
            if chart.isProportion, numerator > denominator {
                throw ValidationError.numeratorExceedsDenominator(numerator: numerator, denominator: denominator)
            }
        } else {
            guard let value else {
                throw ValidationError.wrongShape(
                    measure: definition.name, chart: chart.rawValue,
                    needs: chart == .run
                        ? "a value, or a numerator and a denominator"
                        : "a single value (and no numerator or denominator)")
            }
            if chart.isCount, value != value.rounded() {
                throw ValidationError.notWholeNumber(field: "value", value: value)
            }
            // A t chart raises each time to the power 1/3.6: it needs the days since the last event, above 0.
            if chart == .t, value <= 0 {
                throw ValidationError.invalidChoice(
                    field: "days between events for \(definition.name)",
                    value: value == value.rounded() ? String(Int(value)) : String(value),
                    allowed: ["a number of days above 0 (two events on one day: 0.5)"])
            }
        }
        guard definition.frequency.periodStart(of: period) == period else {
            throw ValidationError.notADate(
                field: "period start for a \(definition.frequency.rawValue)ly measure", value: period.description)
        }
        if period > today { throw ValidationError.periodInFuture(period: period, today: today) }
        try Plausibility.refuseImpossible(self, chart: chart)
    }
}
