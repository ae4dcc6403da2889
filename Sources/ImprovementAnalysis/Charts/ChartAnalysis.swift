import ImprovementModel

/// Run chart and control chart analysis: centre lines, control limits, run rules, and the one
/// verdict every view states.
///
/// The formulas follow qicharts2 (Anhøj), which follows Montgomery and Provost & Murray:
/// - Run: centre = median.
/// - I: centre = mean; sigma = screened mean moving range ÷ 1.128; limits centre ± 3 sigma.
///   Moving ranges at or above 3.267 × the mean moving range are left out of sigma, as
///   qicharts2 does when attached (`qic.screenedmr`, Nelson 1982).
/// - MR: centre = mean moving range; UCL = 3.267 × centre; LCL = 0; no range for a phase's
///   first point.
/// - C: c̄ ± 3√c̄. U: ū ± 3√(ū/nᵢ). P: p̄ ± 3√(p̄(1 − p̄)/nᵢ), with ū and p̄ pooled as
///   Σ numerators ÷ Σ denominators.
/// - P′ and U′ (Laney 2002): the P or U sigma times sigma_z, the screened mean moving range
///   of the z-scores ÷ 1.128. No limits when sigma_z cannot be estimated (no variation).
/// - G: limits from the mean, mean + 3√(mean(mean + 1)) and 0; centre line at the median,
///   as in qicharts2, because the data are skewed.
/// - T (qicharts2 `qic.t`): an I chart on the days between events raised to 1/3.6; centre line and
///   limits raised back to 3.6, a transformed lower line below 0 giving a lower limit of 0.
/// - Limits never go below 0 for counts, rates and proportions, or above 1 for proportions.
/// - Excluded points (known special causes) stay plotted but are left out of the centre line,
///   the limits and the run rules, as qicharts2's `exclude`.
///
/// Every point also gets Making Data Count's variation, and the series its assurance against the
/// target (see ``PointVariation``, ``TargetAssurance`` and `MakingDataCount`).
///
/// Phases and baselines as QI practice uses them (Provost & Murray; NHS Making Data Count): a
/// baseline freezes the first phase's lines on its first points and extends them forward; each
/// later phase gets its own lines (is it stable?) and is also tested against the previous
/// phase's lines extended forward (did the change shift the process?). Choices beyond
/// qicharts2: the run rules need 10 useful points and say so otherwise; limits resting on
/// fewer than 12 points are computed but flagged as provisional.
public enum ChartAnalysis {
    /// Fewer points than this behind a phase's limits and the limits are flagged as
    /// provisional. qicharts2 computes limits from as few as two points; we still compute
    /// them, but say plainly that they rest on little data.
    static let minimumPointsForLimits = 12

    /// Analyses a measure's series with its own chart kind (unless `kind` says otherwise), its
    /// phases, exclusions, direction and expression: what `chart`, `progress`, `quality` and
    /// `report` all use.
    public static func analyse(
        _ series: ChartSeries, kind: ChartKind? = nil, baseline: Int? = nil, rules: RunRules = .anhoej
    ) throws(ChartError) -> ChartResult {
        try analyse(
            measure: series.measure.id, kind: kind ?? series.defaultKind, points: series.inputs, baseline: baseline,
            phaseStarts: series.phaseStarts, excluded: series.excluded, rules: rules, better: series.measure.direction,
            expression: series.measure.expression, target: series.measure.target)
    }

    /// Analyses one series as a run chart or control chart.
    ///
    /// - Parameters:
    ///   - measure: The measure's name, copied into the result.
    ///   - kind: The chart to draw; it decides which fields each point needs.
    ///   - points: The data in time order, one entry per period.
    ///   - baseline: Compute the first phase's centre line and limits from its first `baseline`
    ///     points only and extend them over the rest of the phase; a baseline longer than the
    ///     first phase uses the whole phase.
    ///   - phaseStarts: Indexes of the points where a new phase begins. Order and repeats do
    ///     not matter, and 0 changes nothing.
    ///   - excluded: Indexes of points left out of the lines and run rules (still plotted).
    ///     Indexes outside the series are ignored.
    ///   - rules: The run-rule family; Anhøj by default.
    ///   - better: Which way is better for the measure, so that signals read as improvement or
    ///     concern; nil leaves every signal neutral.
    ///   - expression: How values are shown to people; stated in the result, never applied to it.
    ///   - target: The measure's target (raw, like the values), for Making Data Count's assurance.
    /// - Throws: ``ChartError`` when a point lacks what `kind` needs or an option is out of range.
    public static func analyse(
        measure: String,
        kind: ChartKind,
        points: [ChartInput],
        baseline: Int? = nil,
        phaseStarts: [Int] = [],
        excluded: Set<Int> = [],
        rules: RunRules = .anhoej,
        better: Measure.Direction? = nil,
        expression: ValueExpression = .plain,
        target: Double? = nil
    ) throws(ChartError) -> ChartResult {
        let series = try PlottedSeries(kind: kind, points: points)
        let excluded = excluded.filter { points.indices.contains($0) }
        let phases = try ChartPhase.split(
            pointCount: points.count, phaseStarts: phaseStarts, baseline: baseline, excluded: excluded)
        var lines = ChartLines(values: series.values)
        for phase in phases { lines.fill(phase, kind: kind, series: series) }
        let periods = points.map(\.period)

        // Excluded points take no part in the run rules.
        var runValues = lines.values
        for index in excluded { runValues[index] = nil }

        var findings = Findings(kind: kind, better: better)
        var warnings: [ChartWarning] = []
        var summaries: [ChartPhaseSummary] = []
        var lastRuns = RunsSummary(
            useful: 0, longestRun: 0, longestRunMax: 0, crossings: 0, crossingsMin: 0, signal: false)
        if phases.isEmpty {
            warnings.append(
                ChartWarning(
                    rule: .tooFewPoints,
                    message:
                        "Only 0 points: at least \(RunAnalysis.minimumUsefulPoints) are needed before run rules can signal",
                    points: []))
        }
        for (position, phase) in phases.enumerated() {
            let model = lines.models[position]
            let inPhase = phases.count > 1 ? " in phase \(phase.number)" : ""
            if kind.hasLimits, model.noVariation {
                warnings.append(
                    ChartWarning(
                        rule: .noVariation,
                        message: "The points\(inPhase) the limits rest on do not vary at all, so no limits can be "
                            + "estimated; none are drawn\(kind == .pp || kind == .up ? " (the Laney factor needs variation)" : "")",
                        points: phase.basis))
            } else if kind.hasLimits, phase.basis.count < minimumPointsForLimits {
                warnings.append(
                    ChartWarning(
                        rule: .fewPointsForLimits,
                        message: "The limits\(inPhase) rest on only \(phase.basis.count) points: at least "
                            + "\(minimumPointsForLimits) are advised before trusting them",
                        points: phase.basis))
            }

            // Stability within the phase, against its own lines.
            let considered = phase.points.filter { !excluded.contains($0) }
            let outside = considered.filter(lines.isOutside)
            findings.outside(
                outside, lines: lines, lower: { lines.lcl[$0] }, upper: { lines.ucl[$0] }, phase: phase.number,
                against: .phase, inPhase: inPhase, periods: periods)
            let runs = RunAnalysis(values: runValues, indexes: phase.points, centre: { lines.centre[$0] })
            let evaluated = runs.evaluate(
                rules: rules, kind: kind, inPhase: inPhase, values: runValues, trendRange: phase.points,
                considered: considered.count)
            if let warning = evaluated.warning { warnings.append(warning) }
            findings.add(evaluated.findings, phase: phase.number, against: .phase, periods: periods)
            let summary = runs.summary(rules: rules, signal: !evaluated.findings.isEmpty && kind != .mr)
            lastRuns = summary

            // The change: this phase against the previous phase's lines, extended forward.
            var comparison: ChartPhaseSummary.Comparison?
            if position > 0, kind != .mr {
                let previous = phases[position - 1]
                let before = lines.models[position - 1]
                var outsideBefore: [Int] = []
                var lowerBefore: [Int: Double] = [:]
                var upperBefore: [Int: Double] = [:]
                for index in considered {
                    let (lower, upper) = before.limits(at: index, series: series)
                    lowerBefore[index] = lower
                    upperBefore[index] = upper
                    if lines.side(of: index, lower: lower, upper: upper) != 0 { outsideBefore.append(index) }
                }
                let line = "the \(kind.centreLineName) of phase \(previous.number)"
                let signalsBefore = findings.count
                findings.outside(
                    outsideBefore, lines: lines, lower: { lowerBefore[$0] }, upper: { upperBefore[$0] },
                    phase: phase.number, against: .previousPhase,
                    inPhase: " (against the limits of phase \(previous.number))",
                    periods: periods)
                let combined = RunAnalysis(
                    values: runValues, indexes: previous.points.lowerBound..<phase.points.upperBound,
                    centre: { _ in before.centre })
                let shifts = combined.shift(
                    rules: rules, since: phase.points.lowerBound, line: line, phase: phase.number, periods: periods)
                findings.add(shifts, phase: phase.number, against: .previousPhase, periods: periods)
                comparison = ChartPhaseSummary.Comparison(
                    centre: before.centre, runs: combined.summary(rules: rules, signal: !shifts.isEmpty),
                    outside: outsideBefore, signal: findings.count > signalsBefore)
            }

            let lower = Set(phase.points.map { lines.lcl[$0] }.compactMap { $0 })
            let upper = Set(phase.points.map { lines.ucl[$0] }.compactMap { $0 })
            summaries.append(
                ChartPhaseSummary(
                    number: phase.number, from: periods[phase.points.lowerBound],
                    to: periods[phase.points.upperBound - 1],
                    start: phase.points.lowerBound, end: phase.points.upperBound - 1, basis: phase.basis,
                    excluded: phase.points.filter { excluded.contains($0) }, centre: model.centre,
                    lcl: lower.count == 1 ? lower.first : nil, ucl: upper.count == 1 ? upper.first : nil,
                    limitsVary: lower.count > 1 || upper.count > 1, runs: summary, outside: outside,
                    comparedWithPrevious: comparison))
        }

        // Making Data Count's reading of each point (see MakingDataCount for the rules).
        let judged = points.indices.map { index in
            MakingDataCount.Lines(
                value: lines.values[index], centre: lines.centre[index], lower: lines.lcl[index],
                upper: lines.ucl[index],
                nearLower: lines.nearLower[index], nearUpper: lines.nearUpper[index])
        }
        let variations =
            kind.hasLimits
            ? MakingDataCount.variations(
                lines: judged, phases: phases.map(\.points), excluded: excluded, kind: kind, better: better)
            : MakingDataCount.variations(
                signals: findings.signals, pointCount: points.count, excluded: excluded, values: lines.values)
        let assurance =
            kind.hasLimits && kind != .mr
            ? MakingDataCount.assurance(target: target, better: better, points: judged) : nil

        var plotted: [ChartPoint] = []
        plotted.reserveCapacity(points.count)
        var phaseOf = Array(repeating: 1, count: points.count)
        for phase in phases { for index in phase.points { phaseOf[index] = phase.number } }
        for (index, input) in points.enumerated() {
            let isExcluded = excluded.contains(index)
            plotted.append(
                ChartPoint(
                    period: input.period, value: lines.values[index], numerator: input.numerator,
                    denominator: input.denominator, centre: lines.centre[index], lcl: lines.lcl[index],
                    ucl: lines.ucl[index],
                    outside: lines.isOutside(index), phase: phaseOf[index], excluded: isExcluded,
                    explained: isExcluded || !(input.note ?? "").isEmpty, variation: variations[index]))
        }

        let verdict = VerdictRule.decide(
            findings: findings, phases: phases, summaries: summaries, points: plotted, kind: kind)
        if !verdict.baselineSpecialCauses.isEmpty {
            let shown = verdict.baselineSpecialCauses.prefix(5).map { periods[$0] }.joined(separator: ", ")
            warnings.append(
                ChartWarning(
                    rule: .baselineSpecialCause,
                    message: "The limits rest on points that include an unexplained special cause (\(shown)): "
                        + "explain it with a note, or exclude it from the limits, before judging a change",
                    points: verdict.baselineSpecialCauses))
        }
        return ChartResult(
            measure: measure, kind: kind, expression: expression, better: better,
            centre: lines.models.last?.centre, points: plotted, runs: lastRuns, phases: summaries,
            signals: findings.signals, warnings: warnings, verdict: verdict, assurance: assurance)
    }
}

/// The signals found so far, each with the short phrase a verdict quotes.
struct Findings {
    let kind: ChartKind
    let better: Measure.Direction?
    private(set) var signals: [ChartSignal] = []
    /// Per signal: "9 points below the median of phase 1 since 2026-09-21".
    private(set) var phrases: [String] = []

    init(kind: ChartKind, better: Measure.Direction?) {
        self.kind = kind
        self.better = better
    }

    var count: Int { signals.count }

    private func direction(_ side: Int) -> (SignalDirection, SignalSide?) {
        guard side != 0 else { return (.neutral, nil) }
        let chosen: SignalSide = side > 0 ? .higher : .lower
        // A moving range measures variation, not level: neither better nor worse.
        return (kind == .mr ? .neutral : chosen.direction(better: better), chosen)
    }

    mutating func add(
        _ found: [RunAnalysis.Finding], phase: Int, against: ChartSignal.Basis, periods: [String]
    ) {
        for finding in found {
            let (direction, side) = direction(finding.side)
            signals.append(
                ChartSignal(
                    rule: finding.rule, message: finding.message, points: finding.points, direction: direction,
                    side: side,
                    phase: phase, against: against))
            let since = finding.points.first.map { " since \(periods[$0])" } ?? ""
            switch finding.rule {
            case .longRun, .shift:
                let line =
                    against == .previousPhase
                    ? "the \(kind.centreLineName) of phase \(phase - 1)" : "the \(kind.centreLineName)"
                phrases.append(
                    "\(finding.points.count) points \(finding.side > 0 ? "above" : "below") \(line)\(since)")
            case .trend:
                phrases.append(
                    "\(finding.points.count) points in a row going \(finding.side > 0 ? "up" : "down")\(since)")
            default:
                phrases.append(finding.message.prefix(1).lowercased() + finding.message.dropFirst())
            }
        }
    }

    /// One signal per side for points beyond limits, naming a few periods.
    mutating func outside(
        _ indexes: [Int], lines: ChartLines, lower: (Int) -> Double?, upper: (Int) -> Double?, phase: Int,
        against: ChartSignal.Basis, inPhase: String, periods: [String]
    ) {
        let above = indexes.filter { lines.side(of: $0, lower: lower($0), upper: upper($0)) > 0 }
        let below = indexes.filter { lines.side(of: $0, lower: lower($0), upper: upper($0)) < 0 }
        for (group, side) in [(above, 1), (below, -1)] where !group.isEmpty {
            let shown = group.prefix(5).map { periods[$0] }.joined(separator: ", ")
            let more = group.count > 5 ? " and \(group.count - 5) more" : ""
            let subject = group.count == 1 ? "1 point is" : "\(group.count) points are"
            let limit = side > 0 ? "upper" : "lower"
            let (direction, signalSide) = direction(side)
            signals.append(
                ChartSignal(
                    rule: .outsideLimits,
                    message: "\(subject) \(side > 0 ? "above the upper" : "below the lower") control limit\(inPhase) "
                        + "(\(shown)\(more)): look for a special cause",
                    points: group, direction: direction, side: signalSide, phase: phase, against: against))
            let which = against == .previousPhase ? " of phase \(phase - 1)" : ""
            phrases.append(
                (group.count == 1
                    ? "\(periods[group[0]]) is" : "\(group.count) points (latest \(periods[group.last!])) are")
                    + " beyond the \(limit) limit\(which)")
        }
    }
}
