extension ChartSeries {
    /// Reads the series from a store. With `unit`, that unit's points; with `site`, the site's
    /// units pooled period by period; with neither, every site pooled. Annotations apply as
    /// `Annotation.applies(site:unit:)` says.
    public static func load(
        store: ImprovementStore, measure: Measure, site: String? = nil, unit: String? = nil
    ) throws
        -> ChartSeries
    {
        var pooled: [String: Pooled] = [:]
        var points: [ChartInput] = []
        var chartSite = site
        try store.forEachObservation(ObservationQuery(measure: measure.id, unit: unit, site: site)) { observation in
            let period = observation.period.description
            if unit != nil {
                chartSite = observation.site
                points.append(
                    ChartInput(
                        period: period, value: observation.value, numerator: observation.numerator,
                        denominator: observation.denominator, note: observation.note))
            } else {
                pooled[period, default: Pooled()].add(
                    ObservationPoint(
                        measure: observation.measure, unit: observation.unit, site: observation.site, period: period,
                        numerator: observation.numerator, denominator: observation.denominator,
                        value: observation.value,
                        hasNote: observation.note != nil, edited: false, note: observation.note))
            }
        }
        if unit == nil {
            points = Pooled.inputs(pooled.keys.sorted().map { ($0, pooled[$0]!) }, chart: measure.chart)
        }
        if unit != nil, chartSite == nil {
            chartSite = try store.record(Unit.self, id: unit!)?.site
        }
        var annotations: [Annotation] = []
        var after: String?
        while true {
            let page = try store.records(Annotation.self, after: after, limit: 1000)
            annotations += page.filter { $0.measure == measure.id && $0.applies(site: chartSite, unit: unit) }
            guard let last = page.last else { break }
            after = last.id
        }
        return ChartSeries(measure: measure, inputs: points, annotations: annotations)
    }
}
