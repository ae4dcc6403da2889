/// A measure's data ready to chart: one unit's points, or a site's (or every site's) units pooled.
public struct ChartSeries: Sendable {
    public var measure: Measure
    public var inputs: [ChartInput]
    /// Indexes where an annotation marking a change starts a new phase.
    public var phaseStarts: [Int]
    /// The measure's annotations that apply to this series, oldest first.
    public var annotations: [Annotation]

    /// Reads the series from a store. With `unit`, that unit's points; with `site`, the site's
    /// units pooled period by period; with neither, every site pooled.
    public static func load(store: ImprovementStore, measure: Measure, site: String? = nil, unit: String? = nil) throws
        -> ChartSeries
    {
        var pooled: [String: Pooled] = [:]
        var points: [ChartInput] = []
        try store.forEachObservation(ObservationQuery(measure: measure.id, unit: unit, site: site)) { observation in
            let period = observation.period.description
            if unit != nil {
                points.append(
                    ChartInput(
                        period: period, value: observation.value, numerator: observation.numerator,
                        denominator: observation.denominator, note: observation.note))
            } else {
                pooled[period, default: Pooled()].add(
                    ObservationPoint(
                        measure: observation.measure, unit: observation.unit, site: observation.site, period: period,
                        numerator: observation.numerator, denominator: observation.denominator, value: observation.value,
                        hasNote: observation.note != nil, edited: false))
            }
        }
        if unit == nil {
            points = pooled.keys.sorted().map { pooled[$0]!.input(period: $0, chart: measure.chart) }
        }
        var annotations: [Annotation] = []
        var after: String?
        while true {
            let page = try store.records(Annotation.self, after: after, limit: 1000)
            annotations += page.filter { note in
                note.measure == measure.id && (note.site == nil || site == nil || note.site == site)
                    && (note.unit == nil || unit == nil || note.unit == unit)
            }
            guard let last = page.last else { break }
            after = last.id
        }
        annotations.sort { $0.date < $1.date }
        let phaseStarts = annotations.filter(\.startsPhase).compactMap { note in
            points.firstIndex { $0.period >= note.date.description }
        }.filter { $0 > 0 }
        return ChartSeries(measure: measure, inputs: points, phaseStarts: Array(Set(phaseStarts)).sorted(), annotations: annotations)
    }

    /// The chart kind a measure is drawn as by default.
    public var defaultKind: ChartKind { ChartKind(rawValue: measure.chart.rawValue) ?? .run }
}
