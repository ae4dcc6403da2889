import ImprovementModel

/// The plotted values, centre line and limits of a chart, filled in phase by phase.
struct ChartLines: Sendable {
    /// The plotted statistic per point; MR charts replace it with moving ranges.
    var values: [Double?]
    var centre: [Double?]
    var lcl: [Double?]
    var ucl: [Double?]
    /// The two-sigma lines, for Making Data Count's "2 of 3 close to the limits" rule.
    var nearLower: [Double?]
    var nearUpper: [Double?]
    /// The fitted lines of each phase, in phase order.
    var models: [PhaseModel] = []

    init(values: [Double]) {
        self.values = values.map { $0 }
        centre = Array(repeating: nil, count: values.count)
        lcl = Array(repeating: nil, count: values.count)
        ucl = Array(repeating: nil, count: values.count)
        nearLower = ucl
        nearUpper = ucl
    }

    /// Whether point `index` is strictly above its upper or strictly below its lower limit.
    func isOutside(_ index: Int) -> Bool { side(of: index, lower: lcl[index], upper: ucl[index]) != 0 }

    /// +1 above `upper`, -1 below `lower`, 0 within them (or without a value).
    func side(of index: Int, lower: Double?, upper: Double?) -> Int {
        guard let value = values[index] else { return 0 }
        if let upper, value > upper { return 1 }
        if let lower, value < lower { return -1 }
        return 0
    }

    /// Fits one phase and draws its centre line and limits over the phase's points.
    mutating func fill(_ phase: ChartPhase, kind: ChartKind, series: PlottedSeries) {
        if kind == .mr {
            // The first point of each phase has no predecessor in the phase, so no range: a new
            // phase marks a deliberate change that the first range would straddle.
            values[phase.points.lowerBound] = nil
            for index in phase.points.dropFirst() {
                values[index] = abs(series.values[index] - series.values[index - 1])
            }
        }
        let model = PhaseModel.fit(kind: kind, series: series, basis: phase.basis)
        models.append(model)
        for index in phase.points { centre[index] = model.centre }
        // A point without a value (the first of an MR phase) has nothing to compare with limits.
        for index in phase.points where values[index] != nil {
            (lcl[index], ucl[index]) = model.limits(at: index, series: series)
            if lcl[index] != nil || ucl[index] != nil {
                (nearLower[index], nearUpper[index]) = model.nearLimits(at: index, series: series)
            }
        }
    }
}
