/// An explicit change of a measure's frequency: its points re-bucketed into the coarser periods,
/// so a series never mixes weekly and monthly points.
///
/// Ratios (numerators and denominators) and counts add up; single measured values are averaged
/// (the mean of the periods merged). A week belongs to the month its Monday falls in. Notes of
/// the merged points are kept, joined.
public struct FrequencyConversion: Sendable, Equatable {
    /// The measure converted.
    public let measure: String
    /// The frequency before the conversion.
    public let from: Measure.Frequency
    /// The frequency after the conversion.
    public let to: Measure.Frequency
    /// The new data points, in unit and period order.
    public let observations: [Observation]
    /// How many points there were, and how many there are after.
    public let pointsBefore: Int
    /// How many points there are after the conversion.
    public var pointsAfter: Int { observations.count }
    /// Units whose points were converted.
    public let units: Int
    /// How the values were combined, in words.
    public let combined: String

    /// Plans the conversion of `points` (the measure's live data points) to `frequency`.
    public static func plan(
        measure: Measure, points: [Observation], to frequency: Measure.Frequency, author: String
    ) throws(ValidationError) -> FrequencyConversion {
        guard frequency != measure.frequency else {
            throw .invalidChoice(
                field: "new frequency for \(measure.name)", value: frequency.rawValue,
                allowed: Measure.Frequency.allCases.filter { $0 != measure.frequency }.map(\.rawValue))
        }
        guard frequency.isCoarser(than: measure.frequency) else {
            let coarser = Measure.Frequency.allCases.filter { $0.isCoarser(than: measure.frequency) }.map(\.rawValue)
            throw .invalidChoice(
                field:
                    "conversion of \(measure.name) from \(measure.frequency.rawValue)ly data (points are merged, never split)",
                value: "to \(frequency.rawValue)ly periods",
                allowed: coarser.isEmpty ? ["a new measure for the \(frequency.rawValue)ly data"] : coarser)
        }
        guard !measure.chart.isBetweenEvents else {
            throw .invalidChoice(
                field: "conversion of \(measure.name)", value: "a \(measure.chart.rawValue) chart",
                allowed: [
                    "a new measure: \(measure.chart == .t ? "times" : "cases") between events cannot be merged into longer periods"
                ])
        }
        struct Bucket {
            var numerator = 0.0
            var denominator = 0.0
            var values: [Double] = []
            var notes: [String] = []
            var site = ""
        }
        var buckets: [String: [Day: Bucket]] = [:]
        for point in points {
            let period = frequency.periodStart(of: point.period)
            var bucket = buckets[point.unit, default: [:]][period, default: Bucket()]
            bucket.site = point.site
            if let numerator = point.numerator, let denominator = point.denominator {
                bucket.numerator += numerator
                bucket.denominator += denominator
            } else if let value = point.value {
                bucket.values.append(value)
            }
            if let note = point.note, !note.isEmpty, !bucket.notes.contains(note) { bucket.notes.append(note) }
            buckets[point.unit, default: [:]][period] = bucket
        }
        let sums = measure.chart.isCount
        var converted: [Observation] = []
        for unit in buckets.keys.sorted() {
            for (period, bucket) in buckets[unit]!.sorted(by: { $0.key < $1.key }) {
                let ratio = bucket.denominator > 0
                let value: Double? =
                    ratio
                    ? nil
                    : sums
                        ? bucket.values.reduce(0, +) : bucket.values.reduce(0, +) / Double(max(1, bucket.values.count))
                let note = bucket.notes.isEmpty ? nil : String(bucket.notes.joined(separator: "; ").prefix(2000))
                converted.append(
                    Observation(
                        measure: measure.id, unit: unit, site: bucket.site, period: period,
                        numerator: ratio ? bucket.numerator : nil, denominator: ratio ? bucket.denominator : nil,
                        value: value, note: note, recordedBy: author))
            }
        }
        let combined =
            measure.chart.needsNumeratorAndDenominator
            ? "numerators and denominators added up"
            : sums ? "counts added up" : "values averaged over the periods merged"
        return FrequencyConversion(
            measure: measure.id, from: measure.frequency, to: frequency, observations: converted,
            pointsBefore: points.count, units: buckets.count, combined: combined)
    }
}

extension Measure.Frequency {
    /// Whether every period of `other` lies inside one period of this frequency.
    public func isCoarser(than other: Measure.Frequency) -> Bool {
        switch (other, self) {
        case (.day, .week), (.day, .month), (.week, .month): true
        default: false
        }
    }
}
