extension ImprovementStore {
    /// For every measure and every unit of the query's site: the periods with no data that are
    /// due by now (see `DuePeriods`), in measure then unit order. Series with nothing due are
    /// left out. Measures of closed programmes are not expected any more.
    public func due(_ query: DueQuery) throws -> [DueSeries] {
        let today = query.today ?? self.today
        let units = try allRecords(Unit.self).filter {
            $0.site == query.site && (query.unit == nil || $0.id == query.unit)
        }
        guard !units.isEmpty else { return [] }
        let programmes = Dictionary(uniqueKeysWithValues: try allRecords(Programme.self).map { ($0.id, $0) })
        let measures = try allRecords(Measure.self).filter { query.measure == nil || $0.id == query.measure }
        var result: [DueSeries] = []
        for measure in measures {
            let programme = programmes[measure.programme]
            if programme?.status == .closed { continue }
            for unit in units {
                var recorded: Set<Day> = []
                try forEachObservation(ObservationQuery(measure: measure.id, unit: unit.id)) {
                    recorded.insert(measure.frequency.periodStart(of: $0.period))
                }
                let periods = DuePeriods.missing(
                    frequency: measure.frequency, today: today, programmeStart: programme?.start,
                    programmeEnd: programme?.end, recorded: recorded, since: query.since, window: query.window)
                if !periods.isEmpty { result.append(DueSeries(measure: measure, unit: unit, periods: periods)) }
            }
        }
        return result
    }

    /// Every live record of a type, read in pages.
    private func allRecords<R: SyncedRecord>(_ type: R.Type) throws -> [R] {
        var result: [R] = []
        var after: String?
        while true {
            let page = try records(type, after: after, limit: 1000)
            result += page
            guard page.count == 1000, let last = page.last else { return result }
            after = last.id
        }
    }
}
