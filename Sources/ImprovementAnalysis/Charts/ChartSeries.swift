import ImprovementModel

/// A measure's data ready to chart: one unit's points, or a site's (or every site's) units pooled,
/// with the phases and exclusions its annotations mark.
public struct ChartSeries: Sendable {
    /// The measure charted.
    public var measure: Measure
    /// The points to chart, in period order.
    public var inputs: [ChartInput]
    /// Indexes where an annotation marking a change starts a new phase.
    public var phaseStarts: [Int]
    /// Indexes of points an annotation takes out of the limits as a known special cause.
    public var excluded: Set<Int>
    /// The measure's annotations that apply to this series, oldest first.
    public var annotations: [Annotation]
    /// The note that starts the phase at each phase start.
    public var phaseNotes: [Int: Annotation]
    /// The note that gives the reason for each excluded point.
    public var exclusionNotes: [Int: Annotation]

    /// The series of `inputs`, with the phase starts and exclusions `annotations` mark worked out.
    public init(measure: Measure, inputs: [ChartInput], annotations: [Annotation]) {
        self.measure = measure
        self.inputs = inputs
        self.annotations = annotations.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        (phaseNotes, exclusionNotes) = Self.marks(
            self.annotations, periods: inputs.map(\.period), frequency: measure.frequency)
        phaseStarts = phaseNotes.keys.sorted()
        excluded = Set(exclusionNotes.keys)
    }

    /// The chart kind a measure is drawn as by default.
    public var defaultKind: ChartKind { measure.chart }

    /// Where the annotations put phase starts and exclusions among points with these periods
    /// (sorted `YYYY-MM-DD`): a phase starts at the first period on or after the note's date; an
    /// exclusion takes out the point of the period that contains its date.
    /// The latest note wins where two mark the same point.
    static func marks(
        _ annotations: [Annotation], periods: [String], frequency: Measure.Frequency
    )
        -> (phases: [Int: Annotation], exclusions: [Int: Annotation])
    {
        var phases: [Int: Annotation] = [:]
        var exclusions: [Int: Annotation] = [:]
        for note in annotations {
            if note.startsPhase, let index = firstIndex(atOrAfter: note.date.description, in: periods), index > 0 {
                phases[index] = note
            }
            if note.excludesPoint {
                let period = frequency.periodStart(of: note.date).description
                if let index = firstIndex(atOrAfter: period, in: periods), periods[index] == period {
                    exclusions[index] = note
                }
            }
        }
        return (phases, exclusions)
    }

    private static func firstIndex(atOrAfter period: String, in periods: [String]) -> Int? {
        // Periods are sorted: a binary search keeps long series with many notes cheap.
        var low = 0
        var high = periods.count
        while low < high {
            let middle = (low + high) / 2
            if periods[middle] < period { low = middle + 1 } else { high = middle }
        }
        return low < periods.count ? low : nil
    }
}
