import Foundation
import Synchronization

/// Progress and data quality of a programme, straight from a store.
///
/// For each measure and unit (and each site, pooling its units) the series is charted exactly as
/// `improve chart` charts it, with the measure's chart kind, phases, exclusions and direction,
/// and the verdict is the chart's own (`ChartVerdict`): no view can contradict another about
/// the same series. The baseline centre is the first phase's centre line, the current centre
/// the last phase's.
public enum ProgressAnalysis {
    /// Both reports for one programme (every programme when nil).
    public static func review(
        store: ImprovementStore, programme: String? = nil
    ) throws
        -> (progress: ProgressReport, quality: DataQualityReport)
    {
        let today = store.today
        var measures: [String: Measure] = [:]
        var after: String?
        while true {
            let page = try store.records(Measure.self, after: after, limit: 1000)
            for measure in page where programme == nil || measure.programme == programme {
                measures[measure.id] = measure
            }
            guard let last = page.last else { break }
            after = last.id
        }
        var notes: [String: [Annotation]] = [:]
        after = nil
        while true {
            let page = try store.records(Annotation.self, after: after, limit: 1000)
            for note in page where (note.startsPhase || note.excludesPoint) && measures[note.measure] != nil {
                notes[note.measure, default: []].append(note)
            }
            guard let last = page.last else { break }
            after = last.id
        }

        // The observation table is ordered by measure, so two readers can each take half of it
        // (a WAL database serves concurrent reads) and chart their half on their own core.
        let ids = measures.keys.sorted()
        let pivot = ids.isEmpty ? nil : ids[ids.count / 2] + "/"
        let chunks: [(from: String?, below: String?)] = pivot.map { [(nil, $0), ($0, nil)] } ?? [(nil, nil)]
        let results = ChunkResults(count: chunks.count)
        let (chosen, chartNotes) = (measures, notes)
        DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
            results.set(index) {
                try scan(
                    store: store, measures: chosen, notes: chartNotes, today: today, from: chunks[index].from,
                    below: chunks[index].below)
            }
        }
        var rows: [MeasureProgress] = []
        var unexplained: [DataQualityReport.UnexplainedPoint] = []
        var excluded: [DataQualityReport.ExcludedPoint] = []
        var missing: [DataQualityReport.MissingPeriods] = []
        var edited: [String] = []
        for part in try results.all() {
            rows += part.rows
            unexplained += part.unexplained
            excluded += part.excluded
            missing += part.missing
            edited += part.edited
        }

        let progress = ProgressReport(
            programme: programme, asOf: today.description, measures: rows, flags: flags(rows),
            peers: peerComparisons(rows, measures: measures))
        let quality = DataQualityReport(
            missing: missing, overwritten: try overwritten(store: store, measures: measures),
            unexplainedOutliers: unexplained.filter(\.inBaseline) + unexplained.filter { !$0.inBaseline },
            excludedPoints: excluded,
            editedAfterTheFact: try edits(store: store, observations: edited))
        return (progress, quality)
    }

    /// What one reader found in its part of the observations.
    struct Partial: Sendable {
        var rows: [MeasureProgress] = []
        var unexplained: [DataQualityReport.UnexplainedPoint] = []
        var excluded: [DataQualityReport.ExcludedPoint] = []
        var missing: [DataQualityReport.MissingPeriods] = []
        var edited: [String] = []
    }

    /// Charts every unit and site series of the observations with ids in [from, below).
    static func scan(
        store: ImprovementStore, measures: [String: Measure], notes: [String: [Annotation]], today: Day, from: String?,
        below: String?
    ) throws -> Partial {
        var part = Partial()
        var current: (measure: String, unit: String)?
        var series: [ObservationPoint] = []
        var siteSeries: [String: [String: Pooled]] = [:]  // site → period → pooled values

        func record(_ inputs: [ChartInput], measure: Measure, site: String, unit: String?) {
            let applying = (notes[measure.id] ?? []).filter { $0.applies(site: site, unit: unit) }
            let chart = ChartSeries(measure: measure, inputs: inputs, annotations: applying)
            let result = analyse(chart, site: site, unit: unit, today: today)
            part.rows.append(result.progress)
            guard let analysed = result.chart else { return }
            for (index, inBasis) in analysed.unexplainedOutside {
                part.unexplained.append(
                    .init(
                        measure: measure.id, site: site, unit: unit, period: inputs[index].period,
                        value: analysed.points[index].value, inBaseline: inBasis))
            }
            for (index, note) in chart.exclusionNotes.sorted(by: { $0.key < $1.key }) {
                part.excluded.append(
                    .init(
                        measure: measure.id, site: site, unit: unit, period: inputs[index].period, reason: note.text,
                        annotation: note.id))
            }
        }

        func flushUnit() {
            guard let key = current, let measure = measures[key.measure], let first = series.first else { return }
            record(series.map(\.chartInput), measure: measure, site: first.site, unit: key.unit)
            let gaps = missingPeriods(series.map(\.period), frequency: measure.frequency, today: today)
            if !gaps.isEmpty {
                part.missing.append(
                    .init(
                        measure: measure.id, site: first.site, unit: key.unit, count: gaps.count,
                        recent: Array(gaps.suffix(12))))
            }
            for point in series {
                siteSeries[point.site, default: [:]][point.period, default: Pooled()].add(point)
                if point.edited {
                    part.edited.append(
                        Observation.id(measure: point.measure, unit: point.unit, period: Day(point.period) ?? today))
                }
            }
            series.removeAll(keepingCapacity: true)
        }
        func flushMeasure(_ id: String) {
            guard let measure = measures[id] else { return }
            for site in siteSeries.keys.sorted() {
                let pooled = Pooled.inputs(siteSeries[site]!.sorted { $0.key < $1.key }, chart: measure.chart)
                record(pooled, measure: measure, site: site, unit: nil)
            }
            siteSeries.removeAll()
        }

        try store.forEachObservationPoint(measures: Set(measures.keys), from: from, below: below) { point in
            if current?.measure != point.measure || current?.unit != point.unit {
                flushUnit()
                if let previous = current?.measure, previous != point.measure { flushMeasure(previous) }
                current = (point.measure, point.unit)
            }
            series.append(point)
        }
        flushUnit()
        if let last = current?.measure { flushMeasure(last) }
        return part
    }

    struct SeriesResult {
        var progress: MeasureProgress
        /// The chart every view derives from; nil when the series cannot be charted.
        var chart: ChartResult?
    }

    /// One series' progress row, stated from its chart.
    static func analyse(_ series: ChartSeries, site: String, unit: String?, today: Day) -> SeriesResult {
        let measure = series.measure
        let inputs = series.inputs
        let currentPeriod = measure.frequency.periodStart(of: today)
        let lastPeriod = inputs.last.flatMap { Day($0.period) }
        let firstPeriod = inputs.first.flatMap { Day($0.period) }
        let expected = firstPeriod.map { periodsBetween($0, currentPeriod, frequency: measure.frequency) + 1 } ?? 0
        let expression = measure.expression
        var progress = MeasureProgress(
            measure: measure.id, name: measure.name, type: measure.type, chart: measure.chart,
            direction: measure.direction, site: site, unit: unit, points: inputs.count, baselineCentre: nil,
            currentCentre: nil, verdict: .tooFewPoints, reason: "too-few-points: no data points yet", since: nil,
            baselineSpecialCauses: [], multiplier: expression.multiplier, expressedAs: expression.words,
            target: measure.target, targetMet: nil, expectedPoints: expected,
            completeness: expected > 0 ? min(1, Double(inputs.count) / Double(expected)) : 0,
            lastPeriod: lastPeriod?.description,
            daysSinceLastData: lastPeriod.map { today.dayNumber - $0.dayNumber },
            stale: lastPeriod.map { periodsBetween($0, currentPeriod, frequency: measure.frequency) > 2 } ?? true)
        let chart: ChartResult
        do {
            chart = try ChartAnalysis.analyse(series)
        } catch {
            // A series that cannot be charted (damaged data) is reported without a verdict.
            progress.reason = "too-few-points: the data cannot be charted (\(error))"
            return SeriesResult(progress: progress, chart: nil)
        }
        progress.baselineCentre = chart.phases.first?.centre
        progress.currentCentre = chart.phases.last?.centre
        progress.verdict = chart.verdict.verdict
        progress.reason = chart.verdict.reason
        progress.since = chart.verdict.since
        progress.variation = chart.variation
        progress.assurance = chart.assurance
        progress.baselineSpecialCauses = chart.verdict.baselineSpecialCauses.map { inputs[$0].period }
        if let target = measure.target, let centre = progress.currentCentre {
            progress.targetMet = measure.direction == .up ? centre >= target : centre <= target
        }
        return SeriesResult(progress: progress, chart: chart)
    }

    static func flags(_ rows: [MeasureProgress]) -> [ProgressFlag] {
        var flags: [ProgressFlag] = []
        let groups = Dictionary(grouping: rows) { [$0.site, $0.unit ?? ""] }
        for key in groups.keys.sorted(by: { $0.joined(separator: "/") < $1.joined(separator: "/") }) {
            let group = groups[key]!
            let improvingOutcomes = group.filter { $0.type == .outcome && $0.verdict == .improving }
            for balancing in group
            where balancing.type == .balancing && balancing.verdict == .deteriorating && !improvingOutcomes.isEmpty {
                let place = balancing.unit.map { "\($0) (\(balancing.site))" } ?? balancing.site
                flags.append(
                    ProgressFlag(
                        kind: .balancingHarm, measure: balancing.measure, site: balancing.site, unit: balancing.unit,
                        message: "At \(place) the balancing measure \"\(balancing.name)\" is getting worse while "
                            + improvingOutcomes.map { "\"\($0.name)\"" }.joined(separator: ", ")
                            + " improves: check the change is not causing harm elsewhere."))
            }
        }
        for row in rows where !row.baselineSpecialCauses.isEmpty {
            let place = row.unit.map { "\($0) (\(row.site))" } ?? "\(row.site) (all units)"
            flags.append(
                ProgressFlag(
                    kind: .baselineSpecialCause, measure: row.measure, site: row.site, unit: row.unit,
                    message: "At \(place) the baseline of \"\(row.name)\" holds an unexplained special cause ("
                        + row.baselineSpecialCauses.prefix(3).joined(separator: ", ")
                        + "): explain it with a note or exclude it (improve annotate \(row.measure) --date D --exclude "
                        + "--text REASON) before trusting the verdict."))
        }
        for row in rows where row.stale && row.unit != nil {
            flags.append(
                ProgressFlag(
                    kind: .stale, measure: row.measure, site: row.site, unit: row.unit,
                    message: "No data for \"\(row.name)\" at \(row.unit!) since \(row.lastPeriod ?? "the start"): "
                        + "is it still being collected?"))
        }
        return flags
    }

    static func peerComparisons(_ rows: [MeasureProgress], measures: [String: Measure]) -> [PeerComparison] {
        let siteRows = Dictionary(grouping: rows.filter { $0.unit == nil }, by: \.measure)
        return siteRows.keys.sorted().compactMap { id in
            guard let measure = measures[id], let group = siteRows[id], group.count > 1 else { return nil }
            let sorted = group.sorted { lhs, rhs in
                let left = lhs.currentCentre ?? (measure.direction == .up ? -.infinity : .infinity)
                let right = rhs.currentCentre ?? (measure.direction == .up ? -.infinity : .infinity)
                return measure.direction == .up ? left > right : left < right
            }
            return PeerComparison(
                measure: id, name: measure.name,
                sites: sorted.map {
                    .init(site: $0.site, currentCentre: $0.currentCentre, points: $0.points, verdict: $0.verdict)
                })
        }
    }

    static func overwritten(
        store: ImprovementStore, measures: [String: Measure]
    ) throws -> [DataQualityReport.Overwritten] {
        try store.conflicts(includeResolved: true).filter { conflict in
            conflict.type == EntityType.observation.name
                && measures[String(conflict.entity.prefix { $0 != "/" })] != nil
        }.map { conflict in
            .init(
                conflict: conflict.id, observation: conflict.entity, field: conflict.field, kept: conflict.winner.value,
                keptBy: conflict.winner.author, lost: conflict.loser.value, lostBy: conflict.loser.author,
                resolved: conflict.isResolved)
        }
    }

    static func edits(store: ImprovementStore, observations: [String]) throws -> [DataQualityReport.Edit] {
        try observations.compactMap { entity in
            let history = try store.history(of: .observation, id: entity)
            guard history.count > 1, let first = history.first else { return nil }
            return .init(
                observation: entity, recordedBy: first.change.author, recordedAt: timestamp(first.change.hlc),
                edits: history.dropFirst().map {
                    .init(
                        author: $0.change.author, at: timestamp($0.change.hlc), fields: $0.change.fields.keys.sorted())
                })
        }
    }

    static func timestamp(_ hlc: HLC) -> String {
        let day = Day(millisecondsSince1970: hlc.millis)
        let seconds = Int((hlc.millis % 86_400_000 + 86_400_000) % 86_400_000 / 1000)
        return String(format: "%@T%02d:%02d:%02dZ", day.description, seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    /// Whole periods from `start` to `end` (0 when they are the same period).
    static func periodsBetween(_ start: Day, _ end: Day, frequency: Measure.Frequency) -> Int {
        switch frequency {
        case .day: return end.dayNumber - start.dayNumber
        case .week: return (end.startOfWeek.dayNumber - start.startOfWeek.dayNumber) / 7
        case .month:
            let (y1, m1, _) = start.components
            let (y2, m2, _) = end.components
            return (y2 - y1) * 12 + (m2 - m1)
        }
    }

    /// Period starts between the first recorded period and the last completed period with no data.
    static func missingPeriods(_ periods: [String], frequency: Measure.Frequency, today: Day) -> [String] {
        guard let first = periods.first.flatMap(Day.init) else { return [] }
        let lastCompleted = frequency.periodStart(of: today)
        // Periods are sorted, so walking the expected periods beside them finds the gaps.
        var present = periods.compactMap(Day.init).makeIterator()
        var next = present.next()
        var gaps: [String] = []
        var period = first
        var steps = 0
        while period < lastCompleted, steps < 100_000 {
            while let day = next, day < period { next = present.next() }
            if next != period { gaps.append(period.description) }
            period =
                frequency == .day
                ? period.adding(days: 1) : frequency == .week ? period.adding(days: 7) : period.addingMonths(1)
            steps += 1
        }
        return gaps
    }
}

/// Values of one period pooled across a site's units.
struct Pooled {
    var numerator = 0.0
    var denominator = 0.0
    var value = 0.0
    var count = 0
    /// The smallest value pooled: a site's time since its previous event is at most any unit's.
    var smallest: Double?
    var hasRatio = false
    /// The first note among the pooled points: a site's point is explained when a unit's is.
    var note: String?

    mutating func add(_ point: ObservationPoint) {
        if note == nil, let text = point.note, !text.isEmpty { note = text }
        if let numerator = point.numerator, let denominator = point.denominator {
            self.numerator += numerator
            self.denominator += denominator
            hasRatio = true
        }
        if let value = point.value {
            self.value += value
            count += 1
            smallest = min(smallest ?? value, value)
        }
    }

    /// A site's series, period by period. T charts pool events, not values: a unit's days between
    /// events say nothing about the site's, so the site's time between events is the days from one
    /// period with an event to the next (events on one day are one point), and the first point
    /// takes the shortest time any unit recorded.
    static func inputs(_ periods: [(key: String, value: Pooled)], chart: Measure.Chart) -> [ChartInput] {
        var inputs = periods.map { $0.value.input(period: $0.key, chart: chart) }
        guard chart == .t else { return inputs }
        for index in inputs.indices {
            if index == 0 {
                inputs[index].value = periods[index].value.smallest ?? inputs[index].value
            } else if let day = Day(inputs[index].period), let previous = Day(inputs[index - 1].period) {
                inputs[index].value = Double(day.dayNumber - previous.dayNumber)
            }
        }
        return inputs
    }

    /// Counts add up across units; other single values are averaged.
    func input(period: String, chart: Measure.Chart) -> ChartInput {
        if hasRatio { return ChartInput(period: period, numerator: numerator, denominator: denominator, note: note) }
        let pooled = chart == .c ? value : (count > 0 ? value / Double(count) : 0)
        return ChartInput(period: period, value: pooled, note: note)
    }
}

extension ObservationPoint {
    var chartInput: ChartInput {
        ChartInput(period: period, value: value, numerator: numerator, denominator: denominator, note: note)
    }
}

/// Results of the concurrent readers, collected under a lock.
final class ChunkResults: Sendable {
    private let results: Mutex<[Result<ProgressAnalysis.Partial, any Error>?]>

    init(count: Int) {
        results = Mutex(Array(repeating: nil, count: count))
    }

    func set(_ index: Int, _ body: () throws -> ProgressAnalysis.Partial) {
        let result = Result { try body() }
        results.withLock { $0[index] = result }
    }

    func all() throws -> [ProgressAnalysis.Partial] {
        try results.withLock { $0 }.map { try $0!.get() }
    }
}
