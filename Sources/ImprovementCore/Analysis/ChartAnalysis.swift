/// Run chart and control chart analysis: centre lines, control limits and run rules.
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
///   of the z-scores ÷ 1.128.
/// - G: limits from the mean, mean + 3√(mean(mean + 1)) and 0; centre line at the median,
///   as in qicharts2, because the data are skewed.
/// - Limits never go below 0 for counts, rates and proportions, or above 1 for proportions.
///
/// Choices beyond the formulas: a baseline applies to the first phase only; the `runs`
/// summary and `centre` describe the last phase, the current process, while `signals` cover
/// every phase; the run rules need 10 useful points per phase and say so otherwise; limits
/// resting on fewer than 12 points are computed but flagged as provisional.
public enum ChartAnalysis {
    /// Fewer points than this behind a phase's limits and the limits are flagged as
    /// provisional. qicharts2 computes limits from as few as two points; we still compute
    /// them, but say plainly that they rest on little data.
    static let minimumPointsForLimits = 12

    /// Analyses one measure as a run chart or control chart.
    ///
    /// - Parameters:
    ///   - measure: The measure's name, copied into the result.
    ///   - kind: The chart to draw; it decides which fields each point needs.
    ///   - points: The data in time order, one entry per period.
    ///   - baseline: Compute the centre line and limits from the first `baseline` points only
    ///     and freeze them for the rest of the first phase. It applies to the first phase only,
    ///     since later phases exist to recompute after a deliberate change; a baseline longer
    ///     than the first phase uses the whole phase.
    ///   - phaseStarts: Indexes of the points where a new phase begins; centre and limits are
    ///     recomputed for each phase and run rules applied within it. Order and repeats do not
    ///     matter, and 0 changes nothing.
    ///   - rules: The run-rule family; Anhøj by default.
    /// - Returns: The plotted points, the last phase's centre line and runs analysis, and every
    ///   signal found. The run rules compare with the centre line: the median on run and G
    ///   charts, the mean on the others.
    /// - Throws: ``ChartError`` when a point lacks what `kind` needs or an option is out of range.
    public static func analyse(
        measure: String,
        kind: ChartKind,
        points: [ChartInput],
        baseline: Int? = nil,
        phaseStarts: [Int] = [],
        rules: RunRules = .anhoej
    ) throws(ChartError) -> ChartResult {
        let series = try PlottedSeries(kind: kind, points: points)
        let phases = try ChartPhase.split(pointCount: points.count, phaseStarts: phaseStarts, baseline: baseline)

        var lines = ChartLines(values: series.values)
        for phase in phases { lines.fill(phase, kind: kind, series: series) }

        var signals: [ChartSignal] = []
        let outside = points.indices.filter(lines.isOutside)
        if !outside.isEmpty {
            signals.append(outsideSignal(outside, points: points))
        }

        var lastSummary = RunsSummary(useful: 0, longestRun: 0, longestRunMax: 0, crossings: 0, crossingsMin: 0, signal: false)
        if phases.isEmpty {
            signals.append(ChartSignal(
                rule: .tooFewPoints,
                message: "Only 0 points: at least \(RunAnalysis.minimumUsefulPoints) are needed before run rules can signal",
                points: []
            ))
        }
        for phase in phases {
            if kind.hasLimits, phase.basis.count < minimumPointsForLimits {
                let inPhase = phases.count > 1 ? " in phase \(phase.number)" : ""
                signals.append(ChartSignal(
                    rule: .fewPointsForLimits,
                    message: "The limits\(inPhase) rest on only \(phase.basis.count) points: at least "
                        + "\(minimumPointsForLimits) are advised before trusting them",
                    points: Array(phase.basis)
                ))
            }
            let runs = RunAnalysis(lines: lines, phase: phase)
            let (summary, runSignals) = runs.evaluate(
                rules: rules, kind: kind, phase: phase, phaseCount: phases.count, lines: lines
            )
            signals.append(contentsOf: runSignals)
            lastSummary = summary
        }

        var plotted: [ChartPoint] = []
        plotted.reserveCapacity(points.count)
        for (index, input) in points.enumerated() {
            plotted.append(ChartPoint(
                period: input.period,
                value: lines.values[index],
                numerator: input.numerator,
                denominator: input.denominator,
                centre: lines.centre[index],
                lcl: lines.lcl[index],
                ucl: lines.ucl[index],
                outside: lines.isOutside(index)
            ))
        }

        return ChartResult(
            measure: measure,
            kind: kind,
            centre: lines.phaseCentres.last ?? nil,
            points: plotted,
            runs: lastSummary,
            signals: signals
        )
    }

    private static func outsideSignal(_ outside: [Int], points: [ChartInput]) -> ChartSignal {
        // Name a few periods so the message is useful on its own; the indexes list them all.
        let shown = outside.prefix(5).map { points[$0].period }.joined(separator: ", ")
        let more = outside.count > 5 ? " and \(outside.count - 5) more" : ""
        let subject = outside.count == 1 ? "1 point is" : "\(outside.count) points are"
        return ChartSignal(
            rule: .outsideLimits,
            message: "\(subject) outside the control limits (\(shown)\(more)): look for a special cause",
            points: outside
        )
    }
}
