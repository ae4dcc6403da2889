import ImprovementModel

/// Runs around a centre line over a set of points, and the run rules applied to them.
struct RunAnalysis {
    /// Indexes of the useful points: those with a value that is not on the centre line.
    private(set) var useful: [Int] = []
    /// The runs, as ranges into `useful`.
    private(set) var runs: [Range<Int>] = []
    /// The side of each run: +1 above the line, -1 below.
    private(set) var sides: [Int] = []

    var longestRun: Int { runs.lazy.map(\.count).max() ?? 0 }
    var crossings: Int { max(runs.count - 1, 0) }

    /// Finds the runs of the points at `indexes` (in time order) around `centre`. Points exactly
    /// on the line neither break nor count towards a run (Anhøj; Perla et al.), so they are
    /// skipped altogether, as are points without a value.
    init(values: [Double?], indexes: some Sequence<Int>, centre: (Int) -> Double?) {
        var side = 0
        var runStart = 0
        for index in indexes {
            guard let value = values[index], let line = centre(index), value != line else { continue }
            let pointSide = value > line ? 1 : -1
            if pointSide != side, !useful.isEmpty {
                runs.append(runStart..<useful.count)
                sides.append(side)
                runStart = useful.count
            }
            side = pointSide
            useful.append(index)
        }
        if !useful.isEmpty {
            runs.append(runStart..<useful.count)
            sides.append(side)
        }
    }

    /// Fewer useful points than this and the run rules stay silent (Anhøj: the rules are
    /// validated from 10 points; the IHI runs table starts at 10).
    static let minimumUsefulPoints = 10

    /// A rule that fired: the points, and which way they lie (+1 above, -1 below, 0 neither).
    struct Finding {
        let rule: SignalRule
        let message: String
        let points: [Int]
        let side: Int
    }

    /// The limits of the chosen rules for this many useful points.
    private func limits(
        _ rules: RunRules
    ) -> (longestMax: Int, crossingsMin: Int, bounds: RunCriticalValues.RunsBounds?) {
        let n = useful.count
        switch rules {
        case .anhoej:
            return (RunCriticalValues.longestRunMax(useful: n), RunCriticalValues.crossingsMin(useful: n), nil)
        case .ihi:
            // A shift is six or more, so five in a row is the longest run expected by chance.
            let bounds = RunCriticalValues.runsBounds(useful: n)
            return (5, max(bounds.lower - 1, 0), bounds)
        }
    }

    /// The numbers behind the run rules, with whether they signal.
    func summary(rules: RunRules, signal: Bool) -> RunsSummary {
        let (longestMax, crossingsMin, _) = limits(rules)
        return RunsSummary(
            useful: useful.count, longestRun: longestRun, longestRunMax: longestMax, crossings: crossings,
            crossingsMin: crossingsMin, signal: signal)
    }

    /// The rules applied within a phase, against its own centre line.
    ///
    /// MR charts are counted but never signal: consecutive moving ranges share a point, so they
    /// are not independent and run rules do not apply (qicharts2 does the same). With too few
    /// useful points the result is a warning instead of findings.
    func evaluate(
        rules: RunRules, kind: ChartKind, inPhase: String, values: [Double?], trendRange: Range<Int>, considered: Int
    ) -> (findings: [Finding], warning: ChartWarning?) {
        guard kind != .mr else { return ([], nil) }
        let n = useful.count
        let (longestMax, crossingsMin, bounds) = limits(rules)
        guard n >= Self.minimumUsefulPoints else {
            let onCentre = considered - n
            let described =
                onCentre > 0 ? "\(n) useful points (\(onCentre) on the \(kind.centreLineName))" : "\(n) points"
            let message =
                "Only \(described)\(inPhase): at least \(Self.minimumUsefulPoints) "
                + "are needed before run rules can signal"
            return ([], ChartWarning(rule: .tooFewPoints, message: message, points: useful))
        }

        let line = kind.centreLineName
        var findings: [Finding] = []
        switch rules {
        case .anhoej:
            for (run, side) in zip(runs, sides) where run.count > longestMax {
                findings.append(
                    Finding(
                        rule: .longRun,
                        message:
                            "A run of \(run.count) points \(side > 0 ? "above" : "below") the \(line)\(inPhase) is "
                            + "longer than the \(longestMax) expected by chance: the process has likely shifted",
                        points: Array(useful[run]), side: side))
            }
            if crossings < crossingsMin {
                findings.append(
                    Finding(
                        rule: .fewCrossings,
                        message:
                            "The data cross the \(line) \(crossings) \(crossings == 1 ? "time" : "times")\(inPhase), "
                            + "fewer than the \(crossingsMin) expected by chance: the process has likely shifted",
                        points: useful, side: 0))
            }
        case .ihi:
            for (run, side) in zip(runs, sides) where run.count >= 6 {
                findings.append(
                    Finding(
                        rule: .shift,
                        message:
                            "Shift: \(run.count) points in a row \(side > 0 ? "above" : "below") the \(line)\(inPhase)",
                        points: Array(useful[run]), side: side))
            }
            for trend in Self.trends(values, in: trendRange) {
                findings.append(
                    Finding(
                        rule: .trend,
                        message:
                            "Trend: \(trend.count) points in a row all going \(trend.rising ? "up" : "down")\(inPhase)",
                        points: Array(trend.points), side: trend.rising ? 1 : -1))
            }
            if let bounds, runs.count < bounds.lower {
                findings.append(
                    Finding(
                        rule: .tooFewRuns,
                        message: "Only \(runs.count) runs around the \(line)\(inPhase): fewer than the "
                            + "\(bounds.lower) expected by chance for \(n) points",
                        points: useful, side: 0))
            }
            if let bounds, runs.count > bounds.upper {
                findings.append(
                    Finding(
                        rule: .tooManyRuns,
                        message: "\(runs.count) runs around the \(line)\(inPhase): more than the "
                            + "\(bounds.upper) expected by chance for \(n) points",
                        points: useful, side: 0))
            }
        }
        return (findings, nil)
    }

    /// The rules applied to a new phase against the previous phase's centre line extended
    /// forward, over the points of both phases (so the test does not wait for 10 new points):
    /// a run that reaches into the new phase and is longer than chance allows, or too few
    /// crossings, means the change shifted the process. Only runs and crossings are tested; a
    /// trend belongs to one phase.
    func shift(
        rules: RunRules, since start: Int, line: String, phase: Int, periods: [String]
    ) -> [Finding] {
        let n = useful.count
        guard n >= Self.minimumUsefulPoints else { return [] }
        let (longestMax, crossingsMin, _) = limits(rules)
        let threshold = rules == .ihi ? 6 : longestMax + 1
        var findings: [Finding] = []
        for (run, side) in zip(runs, sides) where run.count >= threshold {
            let points = Array(useful[run])
            guard let last = points.last, last >= start, let first = points.first else { continue }
            let expected = rules == .ihi ? "6 in a row, a shift" : "longer than the \(longestMax) expected by chance"
            findings.append(
                Finding(
                    rule: rules == .ihi ? .shift : .longRun,
                    message: "\(points.count) points \(side > 0 ? "above" : "below") \(line) since \(periods[first]) "
                        + "(\(expected)): phase \(phase) has shifted from the phase before it",
                    points: points, side: side))
        }
        if rules == .anhoej, crossings < crossingsMin {
            // Which way the new phase moved: the side most of its useful points lie on.
            let newPoints = useful.filter { $0 >= start }
            var balance = 0
            for (run, side) in zip(runs, sides) { balance += side * useful[run].lazy.filter { $0 >= start }.count }
            if !newPoints.isEmpty, balance != 0 {
                findings.append(
                    Finding(
                        rule: .fewCrossings,
                        message: "Phases \(phase - 1) and \(phase) cross \(line) only \(crossings) "
                            + "\(crossings == 1 ? "time" : "times"), fewer than the \(crossingsMin) expected by chance: "
                            + "phase \(phase) lies mostly \(balance > 0 ? "above" : "below") it",
                        points: newPoints, side: balance > 0 ? 1 : -1))
            }
        }
        return findings
    }

    /// IHI trends: five or more points all going up or all going down. Equal consecutive
    /// values neither make nor break a trend (Perla et al.: "ignore one of the points when
    /// counting"), so they are skipped when counting but kept inside the reported span.
    /// Points on the centre line count here, as a trend is about direction, not side.
    static func trends(_ values: [Double?], in range: Range<Int>) -> [Trend] {
        var found: [Trend] = []
        var previous: Double?
        var lastIndex = range.lowerBound
        var groupStart = range.lowerBound  // first index of the current group of equal values
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
                if steps >= 4 {
                    found.append(Trend(points: trendStart...lastIndex, count: steps + 1, rising: direction > 0))
                }
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
