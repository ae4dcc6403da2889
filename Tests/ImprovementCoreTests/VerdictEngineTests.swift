import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// The verdict engine on hand-worked series: phases judged against the previous phase, special
/// causes in and out of the baseline, no limits without variation, and the latest point deciding.
struct VerdictEngineTests {
    /// A real step change marked as a phase, rate about 0.013 before and 0.005 after (falls per
    /// bed day; fewer is better). As a run chart: phase 1's median is 0.013; all twelve points of
    /// phase 2 lie below it, with phase 1's last points alternating, so the run of points below
    /// that reaches into phase 2 is far longer than the 8 expected by chance for 24 useful points.
    /// As a u chart the same change shows as points below phase 1's lower limit.
    @Test func stepChangeAtAPhaseIsAnImprovementOnEveryChart() throws {
        let before: [Double] = [13, 12, 14, 13, 12, 14, 13, 12, 14, 13, 12, 14]
        let after: [Double] = [5, 4, 6, 5, 4, 6, 5, 4, 6, 5, 4, 6]
        let points = ratioPoints(before + after, Array(repeating: 1000, count: 24))
        for kind in [ChartKind.run, .u, .up] {
            let result = try ChartAnalysis.analyse(
                measure: "falls", kind: kind, points: points, phaseStarts: [12], better: .down)
            #expect(result.verdict.verdict == .improving, "\(kind): \(result.verdict.reason)")
            let deciding = try #require(result.verdict.signal.map { result.signals[$0] })
            #expect(deciding.against == .previousPhase && deciding.phase == 2 && deciding.side == .lower)
            #expect(deciding.direction == .improvement)
            #expect(result.phases.count == 2)
            #expect(result.phases[1].comparedWithPrevious?.signal == true)
            // Within phase 2, against its own lines, the process is stable: no concern anywhere.
            #expect(!result.signals.contains { $0.direction == .concern })
        }
        // The same data without the phase, as one process: the latest twelve points run below the
        // median, so the verdict agrees even before anyone marks the change.
        let unmarked = try ChartAnalysis.analyse(measure: "falls", kind: .run, points: points, better: .down)
        #expect(unmarked.verdict.verdict == .improving)
        #expect(unmarked.verdict.reason == "improving: 12 points below the median since \(period(12))")
    }

    /// A worse measure is a concern: the same step with "up is better" deteriorates.
    @Test func directionDecidesImprovementOrConcern() throws {
        let values: [Double] =
            Array(repeating: [10, 12], count: 6).flatMap { $0 } + Array(repeating: [4, 5], count: 6).flatMap { $0 }
        let result = try ChartAnalysis.analyse(
            measure: "m", kind: .i, points: valuePoints(values), phaseStarts: [12], better: .up)
        #expect(result.verdict.verdict == .deteriorating)
        #expect(result.signals.filter { $0.against == .previousPhase }.allSatisfy { $0.direction == .concern })
        let neutral = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints(values), phaseStarts: [12])
        #expect(neutral.signals.allSatisfy { $0.direction == .neutral })
        #expect(neutral.verdict.verdict == .unclear)
    }

    /// One astronomical week (14 among weeks of about 3) in phase 1 inflates its mean to 3.92;
    /// phase 2 sits at its normal level, every point below 3.92, so against phase 1 it looks
    /// like an improvement. The engine says the baseline holds an unexplained special cause.
    /// Explained by an exclusion, phase 1's mean is 3 and phase 2 shows no shift.
    @Test func anUnexplainedBaselineOutlierBlocksTheVerdictUntilExcluded() throws {
        let phase1: [Double] = [3, 2, 4, 3, 14, 3, 2, 4, 3, 3, 2, 4]
        let phase2: [Double] = [3, 3, 2, 3, 3, 2, 3, 3, 2, 3, 3, 3]
        let points = valuePoints(phase1 + phase2)
        let raw = try ChartAnalysis.analyse(
            measure: "falls", kind: .c, points: points, phaseStarts: [12], better: .down)
        #expect(isClose(raw.phases[0].centre, 47.0 / 12))
        #expect(raw.verdict.verdict == .unstableBaseline, "\(raw.verdict.reason)")
        #expect(raw.verdict.baselineSpecialCauses == [4])
        #expect(raw.warnings.contains { $0.rule == .baselineSpecialCause && $0.points == [4] })
        #expect(raw.unexplainedOutside.map(\.index) == [4])
        #expect(raw.unexplainedOutside.first?.inBasis == true)

        let excluded = try ChartAnalysis.analyse(
            measure: "falls", kind: .c, points: points, phaseStarts: [12], excluded: [4], better: .down)
        #expect(excluded.phases[0].centre == 3)
        #expect(excluded.phases[0].basis == [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11])
        #expect(excluded.points[4].excluded && excluded.points[4].value == 14, "the point stays plotted")
        #expect(excluded.points[4].outside && excluded.unexplainedOutside.isEmpty)
        #expect(!excluded.signals.contains { $0.points.contains(4) })
        #expect(excluded.verdict.verdict == .noSignal, "\(excluded.verdict.reason)")

        // A note on the point explains it too: the verdict then stands on the data as they are.
        var noted = points
        noted[4].note = "Norovirus closed the bay"
        let explained = try ChartAnalysis.analyse(
            measure: "falls", kind: .c, points: noted, phaseStarts: [12], better: .down)
        #expect(explained.verdict.verdict == .improving)
        #expect(explained.verdict.baselineSpecialCauses.isEmpty)
    }

    /// The verdict describes the process now: an outlier long ago is on the chart (and listed as
    /// unexplained) but the latest point is common-cause variation.
    @Test func anOldOutlierIsNotTheCurrentState() throws {
        var values: [Double] = [3, 2, 4, 3, 2, 4, 3, 2, 4, 3, 2, 4, 3, 2, 4, 3, 2, 4, 3, 2]
        values[3] = 15
        let result = try ChartAnalysis.analyse(measure: "m", kind: .c, points: valuePoints(values), better: .down)
        #expect(result.signals.contains { $0.rule == .outsideLimits && $0.points == [3] && $0.direction == .concern })
        #expect(result.verdict.verdict == .noSignal)
        #expect(result.verdict.reason.contains("earlier signals"))
        #expect(result.unexplainedOutside.map(\.index) == [3])
        // The same outlier as the latest point is where the process stands.
        let latest = try ChartAnalysis.analyse(
            measure: "m", kind: .c, points: valuePoints(values + [16]), better: .down)
        #expect(latest.verdict.verdict == .deteriorating)
        #expect(latest.verdict.since == period(20))
    }

    /// P′ with a baseline that never varies (every week 40 of 40): p̄ = 1 leaves no z-scores, so
    /// like qicharts2 no limits are drawn, nothing is flagged, and a warning says why. An I
    /// chart whose values never change has a zero moving range: the same.
    @Test func noLimitsWhereNoneCanBeEstimated() throws {
        let numerators = Array(repeating: 40.0, count: 12) + [39, 38, 40, 39, 37, 40, 39, 38, 40, 39, 38, 36]
        let pp = try ChartAnalysis.analyse(
            measure: "m", kind: .pp, points: ratioPoints(numerators, Array(repeating: 40, count: 24)), baseline: 12)
        #expect(pp.points.allSatisfy { $0.lcl == nil && $0.ucl == nil && !$0.outside })
        #expect(pp.warnings.contains { $0.rule == .noVariation })
        #expect(!pp.signals.contains { $0.rule == .outsideLimits })

        let flat = try ChartAnalysis.analyse(
            measure: "m", kind: .i, points: valuePoints(Array(repeating: 5, count: 14)))
        #expect(flat.points.allSatisfy { $0.lcl == nil && $0.ucl == nil })
        #expect(flat.warnings.map(\.rule).contains(.noVariation))
        #expect(flat.phases[0].centre == 5)
    }

    /// Warnings and signals are separate lists, and each phase is described in full.
    @Test func phasesSignalsAndWarningsAreDescribedSeparately() throws {
        let values: [Double] = [10, 12, 11, 13, 20, 22, 21, 23]
        let result = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints(values), phaseStarts: [4])
        #expect(result.warnings.allSatisfy { $0.rule.isWarning })
        #expect(result.signals.allSatisfy { !$0.rule.isWarning })
        #expect(result.phases.map(\.number) == [1, 2])
        #expect(result.phases.map(\.from) == [period(0), period(4)])
        #expect(result.phases.map(\.to) == [period(3), period(7)])
        #expect(result.phases[0].centre == 11.5 && result.phases[1].centre == 21.5)
        #expect(result.phases[1].comparedWithPrevious?.centre == 11.5)
        #expect(result.phases[1].comparedWithPrevious?.outside == [4, 5, 6, 7])
        #expect(result.points.map(\.phase) == [1, 1, 1, 1, 2, 2, 2, 2])
        #expect(result.centre == result.phases.last?.centre)
    }

    /// Exclusions leave the run rules too: the excluded point neither breaks nor extends a run,
    /// and is never part of a signal. 3s below the median with one 30 among them: excluded, the
    /// 3s on either side form one run.
    @Test func excludedPointsTakeNoPartInRuns() throws {
        let values: [Double] = [6, 9, 5, 8, 6, 9, 5, 8, 6, 9, 3, 3, 3, 3, 30, 3, 3, 3, 3, 3]
        let withPoint = try ChartAnalysis.analyse(measure: "m", kind: .run, points: valuePoints(values))
        let without = try ChartAnalysis.analyse(measure: "m", kind: .run, points: valuePoints(values), excluded: [14])
        let centre = try #require(without.centre)
        let useful = values.indices.filter { $0 != 14 && values[$0] != centre }
        #expect(without.runs.useful == useful.count)
        #expect(without.runs.longestRun >= 9)
        #expect(withPoint.runs.longestRun < without.runs.longestRun)
        #expect(!without.signals.contains { $0.points.contains(14) })
        #expect(without.signals.contains { $0.rule == .longRun && $0.points == Array(10..<14) + Array(15..<20) })
    }
}
