extension ImprovementStore {
    /// Each unit's (or, with `bySite`, each site's) numerators and denominators added up over the
    /// periods `from`...`to` (either open), named as people know them: what `FunnelPlot` compares.
    /// With `site`, only that site's units.
    public func funnelTotals(
        measure: Measure, from: Day? = nil, to: Day? = nil, site: String? = nil, bySite: Bool = false
    )
        throws -> [FunnelPlot.Total]
    {
        var totals: [String: FunnelPlot.Total] = [:]
        try forEachObservation(ObservationQuery(measure: measure.id, site: site, from: from, to: to)) { observation in
            guard let numerator = observation.numerator, let denominator = observation.denominator else { return }
            let key = bySite ? observation.site : observation.unit
            var total =
                totals[key]
                ?? FunnelPlot.Total(
                    id: key, name: key, site: observation.site, numerator: 0, denominator: 0)
            total.numerator += numerator
            total.denominator += denominator
            totals[key] = total
        }
        for key in totals.keys {
            let name = bySite ? try record(Site.self, id: key)?.name : try record(Unit.self, id: key)?.name
            if let name, !name.isEmpty { totals[key]?.name = name }
        }
        return totals.keys.sorted().map { totals[$0]! }
    }
}
