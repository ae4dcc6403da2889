/// Runs around the centre line within one phase, and the run rules applied to them.
struct RunAnalysis {
    /// Indexes of the useful points: those with a value that is not on the centre line.
    private(set) var useful: [Int] = []
    /// The runs, as ranges into `useful`.
    private(set) var runs: [Range<Int>] = []

    var longestRun: Int { runs.lazy.map(\.count).max() ?? 0 }
    var crossings: Int { max(runs.count - 1, 0) }

    /// Finds the runs of `phase`. Points exactly on the centre line neither break nor count
    /// towards a run (Anhøj; Perla et al.), so they are skipped altogether.
    init(lines: ChartLines, phase: ChartPhase) {
        useful.reserveCapacity(phase.points.count)
        var side = 0
        var runStart = 0
        for index in phase.points {
            guard let value = lines.values[index], let centre = lines.centre[index], value != centre else { continue }
            let pointSide = value > centre ? 1 : -1
            if pointSide != side, !useful.isEmpty {
                runs.append(runStart..<useful.count)
                runStart = useful.count
            }
            side = pointSide
            useful.append(index)
        }
        if !useful.isEmpty { runs.append(runStart..<useful.count) }
    }

    /// Fewer useful points than this and the run rules stay silent (Anhøj: the rules are
    /// validated from 10 points; the IHI runs table starts at 10).
    static let minimumUsefulPoints = 10

    /// Applies the chosen rules, returning the summary numbers and the signals found.
    ///
    /// MR charts are counted but never signal: consecutive moving ranges share a point, so
    /// they are not independent and run rules do not apply (qicharts2 does the same).
    func evaluate(
        rules: RunRules,
        kind: ChartKind,
        phase: ChartPhase,
        phaseCount: Int,
        lines: ChartLines
    ) -> (summary: RunsSummary, signals: [ChartSignal]) {
        let n = useful.count
        let longest = longestRun
        let longestMax: Int
        let crossingsMin: Int
        let bounds: RunCriticalValues.RunsBounds?
        switch rules {
        case .anhoej:
            longestMax = RunCriticalValues.longestRunMax(useful: n)
            crossingsMin = RunCriticalValues.crossingsMin(useful: n)
            bounds = nil
        case .ihi:
            // A shift is six or more, so five in a row is the longest run expected by chance.
            longestMax = 5
            let runsBounds = RunCriticalValues.runsBounds(useful: n)
            crossingsMin = max(runsBounds.lower - 1, 0)
            bounds = runsBounds
        }
        func summary(signal: Bool) -> RunsSummary {
            RunsSummary(
                useful: n,
                longestRun: longest,
                longestRunMax: longestMax,
                crossings: crossings,
                crossingsMin: crossingsMin,
                signal: signal
            )
        }

        guard kind != .mr else { return (summary(signal: false), []) }
        let inPhase = phaseCount > 1 ? " in phase \(phase.number)" : ""
        guard n >= Self.minimumUsefulPoints else {
            let onCentre = phase.points.count - n
            let described = onCentre > 0 ? "\(n) useful points (\(onCentre) on the \(kind.centreLineName))" : "\(n) points"
            let message = "Only \(described)\(inPhase): at least \(Self.minimumUsefulPoints) "
                + "are needed before run rules can signal"
            return (summary(signal: false), [ChartSignal(rule: .tooFewPoints, message: message, points: useful)])
        }

        let line = kind.centreLineName
        var signals: [ChartSignal] = []
        switch rules {
        case .anhoej:
            let longRuns = runs.filter { $0.count > longestMax }
            if !longRuns.isEmpty {
                signals.append(ChartSignal(
                    rule: .longRun,
                    message: "A run of \(longest) points on one side of the \(line)\(inPhase) is longer than "
                        + "the \(longestMax) expected by chance: the process has likely shifted",
                    points: longRuns.flatMap { useful[$0] }
                ))
            }
            if crossings < crossingsMin {
                signals.append(ChartSignal(
                    rule: .fewCrossings,
                    message: "The data cross the \(line) \(crossings) \(crossings == 1 ? "time" : "times")\(inPhase), "
                        + "fewer than the \(crossingsMin) expected by chance: the process has likely shifted",
                    points: useful
                ))
            }
        case .ihi:
            for run in runs where run.count >= 6 {
                let firstIndex = useful[run.lowerBound]
                let side = (lines.values[firstIndex] ?? 0) > (lines.centre[firstIndex] ?? 0) ? "above" : "below"
                signals.append(ChartSignal(
                    rule: .shift,
                    message: "Shift: \(run.count) points in a row \(side) the \(line)\(inPhase)",
                    points: Array(useful[run])
                ))
            }
            for trend in Self.trends(lines.values, in: phase.points) {
                signals.append(ChartSignal(
                    rule: .trend,
                    message: "Trend: \(trend.count) points in a row all going \(trend.rising ? "up" : "down")\(inPhase)",
                    points: Array(trend.points)
                ))
            }
            if let bounds, runs.count < bounds.lower {
                signals.append(ChartSignal(
                    rule: .tooFewRuns,
                    message: "Only \(runs.count) runs around the \(line)\(inPhase): fewer than the "
                        + "\(bounds.lower) expected by chance for \(n) points",
                    points: useful
                ))
            }
            if let bounds, runs.count > bounds.upper {
                signals.append(ChartSignal(
                    rule: .tooManyRuns,
                    message: "\(runs.count) runs around the \(line)\(inPhase): more than the "
                        + "\(bounds.upper) expected by chance for \(n) points",
                    points: useful
                ))
            }
        }
        return (summary(signal: !signals.isEmpty), signals)
    }

    /// IHI trends: five or more points all going up or all going down. Equal consecutive
    /// values neither make nor break a trend (Perla et al.: "ignore one of the points when
    /// counting"), so they are skipped when counting but kept inside the reported span.
    /// Points on the centre line count here, as a trend is about direction, not side.
    static func trends(_ values: [Double?], in range: Range<Int>) -> [Trend] {
        var found: [Trend] = []
        var previous: Double?
        var lastIndex = range.lowerBound
        var groupStart = range.lowerBound   // first index of the current group of equal values
        var trendStart = range.lowerBound
        var direction = 0
        var steps = 0
        for index in range {
            guard let value = values[index] else { continue }
            defer { lastIndex = index }
            guard let before = previous else {
                previous = value
                groupStart = index
                trendStart = index
                continue
            }
            if value == before { continue }
            let step = value > before ? 1 : -1
            if step == direction {
                steps += 1
            } else {
                if steps >= 4 { found.append(Trend(points: trendStart...lastIndex, count: steps + 1, rising: direction > 0)) }
                direction = step
                steps = 1
                trendStart = groupStart
            }
            previous = value
            groupStart = index
        }
        if steps >= 4 { found.append(Trend(points: trendStart...lastIndex, count: steps + 1, rising: direction > 0)) }
        return found
    }

    /// A run of points all going the same way.
    struct Trend: Equatable {
        /// The span of point indexes, including repeated values inside it.
        let points: ClosedRange<Int>
        /// The number of points counted, with repeated values counted once.
        let count: Int
        let rising: Bool
    }
}
