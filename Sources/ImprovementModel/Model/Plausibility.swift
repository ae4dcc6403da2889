/// Plausibility of a data point at entry, beyond its shape: what cannot be true is refused, what
/// is unusual but possible is a warning that `--force` overrides.
///
/// Refused (never true of a ward's data):
/// - a value (run, I and MR charts) whose size is beyond 1e9 (`maxValue`);
/// - a count (numerator, denominator, or a C or G chart's value) beyond 1e7 (`maxCount`);
/// - a period before 2000-01-01 (`earliestPeriod`).
///
/// Warned (possible, but more often a typing slip):
/// - a period before the start of the measure's programme;
/// - a point far outside its series: with at least 5 stored points for the measure and unit, more
///   than 10 times the series' scale above its highest or below its lowest point, the scale being
///   the larger of the series' range and its median (and at least one event: 1 for values, one
///   over the median denominator for rates and proportions);
/// - a fractional numerator of a rate or proportion (U and P charts count events or patients).
public enum Plausibility {
    /// The largest size of a single value.
    public static let maxValue = 1e9
    /// The largest count: numerators, denominators, C and G chart values.
    public static let maxCount = 1e7
    /// No data point is older than this.
    public static let earliestPeriod = Day("2000-01-01")!
    /// How many scales beyond the series a point may be before it is questioned.
    static let outlierFactor = 10.0
    /// Fewer points than this say too little about a series.
    static let minimumSeries = 5

    /// Throws for a data point that cannot be true.
    static func refuseImpossible(_ observation: Observation, chart: Measure.Chart) throws(ValidationError) {
        func check(_ number: Double?, field: String, limit: Double) throws(ValidationError) {
            if let number, abs(number) > limit { throw .implausible(field: field, value: number, limit: limit) }
        }
        try check(observation.numerator, field: "numerator", limit: maxCount)
        try check(observation.denominator, field: "denominator", limit: maxCount)
        try check(observation.value, field: "value", limit: chart.isCount ? maxCount : maxValue)
        if observation.period < earliestPeriod {
            throw .periodTooEarly(period: observation.period, earliest: earliestPeriod)
        }
    }

    /// What a stored series says about its points, for the outlier warning.
    public struct SeriesSummary: Sendable, Equatable {
        /// How many points the series holds.
        public var count: Int
        /// The smallest value among them.
        public var low: Double
        /// The largest value among them.
        public var high: Double
        /// The middle value, which the outlier warning measures distance from.
        public var median: Double
        /// The size of one event on the chart: 1 for values, one over the median denominator for ratios.
        public var event: Double
    }

    /// The summary of a measure and unit's stored points; nil when too few to judge by.
    public static func summary(of series: [Observation]) -> SeriesSummary? {
        let points = series.compactMap(plotted).sorted()
        guard points.count >= minimumSeries else { return nil }
        let middle = points.count / 2
        let median = points.count % 2 == 1 ? points[middle] : (points[middle - 1] + points[middle]) / 2
        var event = 1.0
        let denominators = series.compactMap(\.denominator).filter { $0 > 0 }.sorted()
        if !denominators.isEmpty { event = 1 / denominators[denominators.count / 2] }
        return SeriesSummary(
            count: points.count, low: points[0], high: points[points.count - 1], median: median, event: event)
    }

    /// What is unusual about a data point, in words a nurse can check; empty when nothing is.
    ///
    /// - Parameters:
    ///   - observation: the data point about to be recorded.
    ///   - measure: its measure (the chart kind says which values are possible).
    ///   - programmeStart: the start of the measure's programme, if it has one.
    ///   - series: the summary of the stored data points of the same measure and unit.
    public static func warnings(
        for observation: Observation, measure: Measure, programmeStart: Day?, series: SeriesSummary?
    ) -> [String] {
        var warnings: [String] = []
        if let programmeStart, observation.period < programmeStart {
            warnings.append("The period \(observation.period) is before the programme started (\(programmeStart)).")
        }
        let chart = measure.chart
        if chart.needsNumeratorAndDenominator, let numerator = observation.numerator, numerator != numerator.rounded() {
            warnings.append(
                "The numerator is \(ValidationError.format(numerator)), but it counts "
                    + "\(chart.isProportion ? "patients" : "events"), so it is usually a whole number.")
        }
        if let point = plotted(observation), let series {
            let scale = max(series.high - series.low, abs(series.median), series.event)
            if point > series.high + outlierFactor * scale || point < series.low - outlierFactor * scale {
                warnings.append(
                    "\(ValidationError.format(point)) is far outside this ward's series so far "
                        + "(\(ValidationError.format(series.low)) to \(ValidationError.format(series.high)) "
                        + "over \(series.count) periods).")
            }
        }
        return warnings
    }

    /// The number a chart plots for a data point: its value, or its numerator over its denominator.
    static func plotted(_ observation: Observation) -> Double? {
        if let value = observation.value { return value }
        guard let numerator = observation.numerator, let denominator = observation.denominator, denominator > 0 else {
            return nil
        }
        return numerator / denominator
    }
}

/// A data point that is possible but unusual, refused unless the person confirms it (`--force`).
public struct ImplausibleEntry: Error, CustomStringConvertible, Equatable {
    /// What is unusual, one sentence each.
    public var warnings: [String]

    package init(warnings: [String]) { self.warnings = warnings }

    /// The warnings and what to do, ending as every refusal does ("Nothing was saved.").
    public var description: String {
        warnings.joined(separator: " ")
            + " Check the number and the period. Nothing was saved. Use --force to record it anyway."
    }
}
