import Foundation
import Synchronization

/// Progress and data quality of a programme, straight from a store.
///
/// For each measure and unit (and each site, pooling its units) the series is charted with the
/// measure's chart kind. The baseline is the first phase when annotations mark phases, otherwise
/// the first 12 points (half the points when there are fewer than 20); the current centre line
/// is that of the points after the baseline. A signal (a run rule, or a point beyond the limits
/// after the baseline) counts as improvement when the centre moved in the measure's desired
/// direction, as deterioration when it moved against it.
public enum ProgressAnalysis {
    /// Both reports for one programme (every programme when nil).
    public static func review(store: ImprovementStore, programme: String? = nil) throws
        -> (progress: ProgressReport, quality: DataQualityReport)
    {
        let today = store.today
        var measures: [String: Measure] = [:]
        var after: String?
        while true {
            let page = try store.records(Measure.self, after: after, limit: 1000)
            for measure in page where programme == nil || measure.programme == programme { measures[measure.id] = measure }
            guard let last = page.last else { break }
            after = last.id
        }
        var phases: [String: [Annotation]] = [:]
        after = nil
        while true {
            let page = try store.records(Annotation.self, after: after, limit: 1000)
            for note in page where note.startsPhase && measures[note.measure] != nil { phases[note.measure, default: []].append(note) }
            guard let last = page.last else { break }
            after = last.id
        }

        // The observation table is ordered by measure, so two readers can each take half of it
        // (a WAL database serves concurrent reads) and chart their half on their own core.
        let ids = measures.keys.sorted()
        let pivot = ids.isEmpty ? nil : ids[ids.count / 2] + "/"
        let chunks: [(from: String?, below: String?)] = pivot.map { [(nil, $0), ($0, nil)] } ?? [(nil, nil)]
        let results = ChunkResults(count: chunks.count)
        let (chosen, phaseNotes) = (measures, phases)
        DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
            results.set(index) {
                try scan(
                    store: store, measures: chosen, phases: phaseNotes, today: today, from: chunks[index].from,
                    below: chunks[index].below)
            }
        }
        var rows: [MeasureProgress] = []
        var unexplained: [DataQualityReport.UnexplainedPoint] = []
        var missing: [DataQualityReport.MissingPeriods] = []
        var edited: [String] = []
        for part in try results.all() {
            rows += part.rows
            unexplained += part.unexplained
            missing += part.missing
            edited += part.edited
        }

        let progress = ProgressReport(
            programme: programme, asOf: today.description, measures: rows, flags: flags(rows),
            peers: peerComparisons(rows, measures: measures))
        let quality = DataQualityReport(
            missing: missing, overwritten: try overwritten(store: store, measures: measures),
            unexplainedOutliers: unexplained, editedAfterTheFact: try edits(store: store, observations: edited))
        return (progress, quality)
    }

    /// What one reader found in its part of the observations.
    struct Partial: Sendable {
        var rows: [MeasureProgress] = []
        var unexplained: [DataQualityReport.UnexplainedPoint] = []
        var missing: [DataQualityReport.MissingPeriods] = []
        var edited: [String] = []
    }

    /// Charts every unit and site series of the observations with ids in [from, below).
    static func scan(
        store: ImprovementStore, measures: [String: Measure], phases: [String: [Annotation]], today: Day, from: String?,
        below: String?
    ) throws -> Partial {
        var part = Partial()
        var current: (measure: String, unit: String)?
        var series: [ObservationPoint] = []
        var siteSeries: [String: [String: Pooled]] = [:]  // site → period → pooled values

        func flushUnit() {
            guard let key = current, let measure = measures[key.measure], let first = series.first else { return }
            let result = analyse(series.map(\.chartInput), measure: measure, site: first.site, unit: key.unit,
                phases: phases[measure.id] ?? [], today: today)
            part.rows.append(result.progress)
            for index in result.outsideAfterBaseline where !series[index].hasNote {
                part.unexplained.append(
                    .init(measure: measure.id, site: first.site, unit: key.unit, period: series[index].period,
                        value: result.values[index]))
            }
            let gaps = missingPeriods(series.map(\.period), frequency: measure.frequency, today: today)
            if !gaps.isEmpty {
                part.missing.append(
                    .init(measure: measure.id, site: first.site, unit: key.unit, count: gaps.count, recent: Array(gaps.suffix(12))))
            }
            for point in series {
                siteSeries[point.site, default: [:]][point.period, default: Pooled()].add(point)
                if point.edited {
                    part.edited.append(Observation.id(measure: point.measure, unit: point.unit, period: Day(point.period) ?? today))
                }
            }
            series.removeAll(keepingCapacity: true)
        }
        func flushMeasure(_ id: String) {
            guard let measure = measures[id] else { return }
            for site in siteSeries.keys.sorted() {
                let pooled = siteSeries[site]!.sorted { $0.key < $1.key }.map { $0.value.input(period: $0.key, chart: measure.chart) }
                part.rows.append(analyse(pooled, measure: measure, site: site, unit: nil, phases: phases[id] ?? [], today: today).progress)
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
        var values: [Double?]
        var outsideAfterBaseline: [Int]
    }

    static func analyse(_ inputs: [ChartInput], measure: Measure, site: String, unit: String?, phases: [Annotation],
        today: Day) -> SeriesResult
    {
        let kind = ChartKind(rawValue: measure.chart.rawValue) ?? .run
        let currentPeriod = measure.frequency.periodStart(of: today)
        let lastPeriod = inputs.last.flatMap { Day($0.period) }
        let firstPeriod = inputs.first.flatMap { Day($0.period) }
        let expected = firstPeriod.map { periodsBetween($0, currentPeriod, frequency: measure.frequency) + 1 } ?? 0
        var progress = MeasureProgress(
            measure: measure.id, name: measure.name, type: measure.type.rawValue, chart: measure.chart.rawValue,
            direction: measure.direction.rawValue, site: site, unit: unit, points: inputs.count, baselineCentre: nil,
            currentCentre: nil, verdict: .tooFewPoints, target: measure.target, targetMet: nil, expectedPoints: expected,
            completeness: expected > 0 ? min(1, Double(inputs.count) / Double(expected)) : 0,
            lastPeriod: lastPeriod?.description,
            daysSinceLastData: lastPeriod.map { today.dayNumber - $0.dayNumber },
            stale: lastPeriod.map { periodsBetween($0, currentPeriod, frequency: measure.frequency) > 2 } ?? true)
        var values: [Double?] = []
        var outside: [Int] = []
        do {
            let phaseStarts = phases.compactMap { note in
                (note.site == nil || note.site == site) && (note.unit == nil || note.unit == unit)
                    ? inputs.firstIndex { $0.period >= note.date.description } : nil
            }.filter { $0 > 0 }
            // The baseline is the first phase when annotations mark phases, else the first points.
            // Its limits are frozen and extended over the later points, so a shift after the
            // change shows as a signal against the baseline.
            let baselineEnd = phaseStarts.min() ?? (inputs.count >= 20 ? 12 : max(1, inputs.count / 2))
            let chart = try ChartAnalysis.analyse(measure: measure.id, kind: kind, points: inputs, baseline: baselineEnd)
            progress.baselineCentre = chart.points.first?.centre
            values = chart.points.map(\.value)
            // The current level: the centre line of the last phase, or of the points after the baseline.
            let currentStart = phaseStarts.max() ?? baselineEnd
            progress.currentCentre =
                currentStart < inputs.count
                ? centreLine(kind: kind, inputs: inputs[currentStart...], values: values[currentStart...])
                : progress.baselineCentre
            outside = chart.points.indices.filter { $0 >= baselineEnd && chart.points[$0].outside }
            let signal = chart.runs.signal || !outside.isEmpty
            if chart.runs.useful < 10 && outside.isEmpty {
                progress.verdict = .tooFewPoints
            } else if signal, let before = progress.baselineCentre, let after = progress.currentCentre, before != after {
                progress.verdict = (after > before) == (measure.direction == .up) ? .improving : .deteriorating
            } else {
                progress.verdict = .noSignal
            }
            if let target = measure.target, let centre = progress.currentCentre {
                progress.targetMet = measure.direction == .up ? centre >= target : centre <= target
            }
        } catch {
            // A series that cannot be charted (damaged data) is reported without a verdict.
            progress.verdict = .tooFewPoints
        }
        return SeriesResult(progress: progress, values: values, outsideAfterBaseline: outside)
    }

    /// The centre line a chart of these points would draw: pooled Σnumerator ÷ Σdenominator for
    /// proportions and rates, the median on run and G charts, the mean otherwise.
    static func centreLine(kind: ChartKind, inputs: ArraySlice<ChartInput>, values: ArraySlice<Double?>) -> Double? {
        switch kind {
        case .p, .pp, .u, .up:
            var numerator = 0.0
            var denominator = 0.0
            for input in inputs {
                numerator += input.numerator ?? 0
                denominator += input.denominator ?? 0
            }
            return denominator > 0 ? numerator / denominator : nil
        case .run, .g:
            let sorted = values.compactMap { $0 }.sorted()
            guard !sorted.isEmpty else { return nil }
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        case .i, .c, .mr:
            let present = values.compactMap { $0 }
            return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
        }
    }

    static func flags(_ rows: [MeasureProgress]) -> [ProgressFlag] {
        var flags: [ProgressFlag] = []
        let groups = Dictionary(grouping: rows) { [$0.site, $0.unit ?? ""] }
        for key in groups.keys.sorted(by: { $0.joined(separator: "/") < $1.joined(separator: "/") }) {
            let group = groups[key]!
            let improvingOutcomes = group.filter { $0.type == "outcome" && $0.verdict == .improving }
            for balancing in group where balancing.type == "balancing" && balancing.verdict == .deteriorating && !improvingOutcomes.isEmpty {
                let place = balancing.unit.map { "\($0) (\(balancing.site))" } ?? balancing.site
                flags.append(
                    ProgressFlag(
                        kind: .balancingHarm, measure: balancing.measure, site: balancing.site, unit: balancing.unit,
                        message: "At \(place) the balancing measure \"\(balancing.name)\" is getting worse while "
                            + improvingOutcomes.map { "\"\($0.name)\"" }.joined(separator: ", ")
                            + " improves: check the change is not causing harm elsewhere."))
            }
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
                sites: sorted.map { .init(site: $0.site, currentCentre: $0.currentCentre, points: $0.points, verdict: $0.verdict) })
        }
    }

    static func overwritten(store: ImprovementStore, measures: [String: Measure]) throws -> [DataQualityReport.Overwritten] {
        try store.conflicts(includeResolved: true).filter { conflict in
            conflict.type == EntityType.observation.name && measures[String(conflict.entity.prefix { $0 != "/" })] != nil
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
                    .init(author: $0.change.author, at: timestamp($0.change.hlc), fields: $0.change.fields.keys.sorted())
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
            period = frequency == .day ? period.adding(days: 1) : frequency == .week ? period.adding(days: 7) : period.addingMonths(1)
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
    var hasRatio = false

    mutating func add(_ point: ObservationPoint) {
        if let numerator = point.numerator, let denominator = point.denominator {
            self.numerator += numerator
            self.denominator += denominator
            hasRatio = true
        }
        if let value = point.value {
            self.value += value
            count += 1
        }
    }

    /// Counts add up across units; other single values are averaged.
    func input(period: String, chart: Measure.Chart) -> ChartInput {
        if hasRatio { return ChartInput(period: period, numerator: numerator, denominator: denominator) }
        let pooled = chart == .c ? value : (count > 0 ? value / Double(count) : 0)
        return ChartInput(period: period, value: pooled)
    }
}

extension ObservationPoint {
    var chartInput: ChartInput {
        ChartInput(period: period, value: value, numerator: numerator, denominator: denominator)
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
