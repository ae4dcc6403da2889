import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// Phases (limits recomputed per phase) and baselines (limits frozen from the first points).
struct ChartPhasesTests {
    /// Two phases of an I chart: 10, 12, 11, 13 | 20, 22, 21, 23.
    /// Phase 1: mean 11.5, moving ranges 2, 1, 2, MR̄ = 5/3, 3σ = 3 × (5/3) / 1.128 = 4.43262,
    /// limits 7.06738 and 15.93262. Phase 2: mean 21.5, the same ranges, limits 17.06738 and
    /// 25.93262. The jump of 7 between the phases belongs to neither. The result's centre is
    /// the last phase's.
    @Test func limitsAreRecomputedPerPhase() throws {
        let values: [Double] = [10, 12, 11, 13, 20, 22, 21, 23]
        let result = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints(values), phaseStarts: [4])
        #expect(result.centre == 21.5)
        #expect(result.points[0].centre == 11.5)
        #expect(isClose(result.points[3].ucl, 15.932624, 1e-6))
        #expect(isClose(result.points[3].lcl, 7.067376, 1e-6))
        #expect(result.points[4].centre == 21.5)
        #expect(isClose(result.points[4].ucl, 25.932624, 1e-6))
        #expect(isClose(result.points[4].lcl, 17.067376, 1e-6))
        // Within each phase nothing is outside its own limits; against phase 1's limits extended
        // forward, all of phase 2 is above: the change shifted the process.
        #expect(result.outsidePoints.isEmpty)
        let shift = result.signals.filter { $0.against == .previousPhase && $0.rule == .outsideLimits }
        #expect(shift.map(\.points) == [[4, 5, 6, 7]])
        #expect(shift.first?.side == .higher && shift.first?.phase == 2)
        // Both phases have few points: one warning each, naming the phase.
        let warnings = result.warnings.filter { $0.rule == .fewPointsForLimits }
        #expect(warnings.map(\.points) == [[0, 1, 2, 3], [4, 5, 6, 7]])
        #expect(
            warnings.last?.message
                == "The limits in phase 2 rest on only 4 points: at least 12 are advised before trusting them")
    }

    /// Without the phase split the same data give one wide band around 16.5 (a single
    /// phase), so the split really is what changes the limits.
    @Test func withoutPhasesOneSetOfLimits() throws {
        let values: [Double] = [10, 12, 11, 13, 20, 22, 21, 23]
        let result = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints(values))
        #expect(result.centre == 16.5)
        #expect(Set(result.points.map(\.centre)) == [16.5])
    }

    /// A baseline applies within the first phase only. Baseline 2 on the data above: phase 1
    /// uses 10 and 12 — mean 11, one moving range of 2, 3σ = 6 / 1.128 = 5.31915, limits
    /// 5.68085 and 16.31915 — for all four of its points; phase 2 is computed as before.
    @Test func baselineAppliesToFirstPhaseOnly() throws {
        let values: [Double] = [10, 12, 11, 13, 20, 22, 21, 23]
        let result = try ChartAnalysis.analyse(
            measure: "m", kind: .i, points: valuePoints(values), baseline: 2, phaseStarts: [4])
        for point in result.points.prefix(4) {
            #expect(point.centre == 11)
            #expect(isClose(point.ucl, 16.319149, 1e-6))
            #expect(isClose(point.lcl, 5.680851, 1e-6))
        }
        #expect(result.points[5].centre == 21.5)
        #expect(result.signal(.fewPointsForLimits)?.points == [0, 1])
    }

    /// A frozen baseline exposes a later rise. C chart 4, 6, 5, 5 then 20, 30 with baseline 4:
    /// c̄ = 20 / 4 = 5, UCL = 5 + 3√5 = 11.7082, LCL = 0 (5 − 6.708 < 0); both 20 and 30 are
    /// outside. Without the baseline c̄ = 70 / 6 = 11.667 and UCL = 11.667 + 3√11.667 = 21.91,
    /// so only the 30 is outside.
    @Test func baselineFreezesLimits() throws {
        let points = valuePoints([4, 6, 5, 5, 20, 30])
        let frozen = try ChartAnalysis.analyse(measure: "m", kind: .c, points: points, baseline: 4)
        #expect(frozen.centre == 5)
        #expect(isClose(frozen.points[5].ucl, 11.708204, 1e-6))
        #expect(frozen.signal(.outsideLimits)?.points == [4, 5])

        let free = try ChartAnalysis.analyse(measure: "m", kind: .c, points: points)
        #expect(free.signal(.outsideLimits)?.points == [5])
    }

    /// A baseline longer than the first phase uses the whole phase.
    @Test func baselineLongerThanPhaseUsesWholePhase() throws {
        let points = valuePoints([4, 6, 5, 5, 20, 30])
        let long = try ChartAnalysis.analyse(measure: "m", kind: .c, points: points, baseline: 50)
        let none = try ChartAnalysis.analyse(measure: "m", kind: .c, points: points)
        #expect(long == none)
    }

    /// On a run chart the frozen baseline median is the reference for later points, like
    /// qicharts2's `freeze` (the vignette's CDI example). Baseline 5, 7, 6, 8, 5, 7, 6, 8, 5, 7:
    /// median 6.5, the points alternate sides. Then ten 3s, all below: a run of 10 at indexes
    /// 10…19, longer than round(log2(20) + 3) = 7.
    @Test func runChartBaselineMedian() throws {
        let values: [Double] = [5, 7, 6, 8, 5, 7, 6, 8, 5, 7] + Array(repeating: 3, count: 10)
        let result = try ChartAnalysis.analyse(measure: "CDI", kind: .run, points: valuePoints(values), baseline: 10)
        #expect(result.centre == 6.5)
        #expect(
            result.runs
                == RunsSummary(
                    useful: 20, longestRun: 10, longestRunMax: 7, crossings: 10, crossingsMin: 6, signal: true))
        #expect(result.signal(.longRun)?.points == Array(10..<20))
        #expect(
            result.signal(.longRun)?.message
                == "A run of 10 points below the median is longer than the 7 expected by chance: the process has likely shifted"
        )
    }

    /// MR charts restart at each phase: the first point of every phase has no moving range.
    /// 1, 4, 2 | 10, 11: ranges –, 3, 2 | –, 1. Phase 1 MR̄ = 2.5, UCL 3.267 × 2.5 = 8.1675;
    /// phase 2 MR̄ = 1, UCL 3.267.
    @Test func movingRangesRestartPerPhase() throws {
        let result = try ChartAnalysis.analyse(
            measure: "m", kind: .mr, points: valuePoints([1, 4, 2, 10, 11]), phaseStarts: [3])
        #expect(result.points.map(\.value) == [nil, 3, 2, nil, 1])
        #expect(result.points[1].centre == 2.5)
        #expect(isClose(result.points[1].ucl, 8.1675))
        #expect(result.points[3].ucl == nil)
        #expect(isClose(result.points[4].ucl, 3.267))
        #expect(result.centre == 1)
    }

    /// Phase starts may be unordered or repeated, and 0 changes nothing.
    @Test func phaseStartsAreNormalised() throws {
        let points = valuePoints([10, 12, 11, 13, 20, 22, 21, 23])
        let messy = try ChartAnalysis.analyse(measure: "m", kind: .i, points: points, phaseStarts: [4, 0, 4])
        let clean = try ChartAnalysis.analyse(measure: "m", kind: .i, points: points, phaseStarts: [4])
        #expect(messy == clean)
    }

    /// Run rules are applied per phase and the summary describes the last phase.
    /// Phase 1 is the 12 points of the common-cause run chart test (no signal); phase 2 is
    /// 1, 2, 3, 4, 5, 11, 12, 13, 14, 15 — median (5 + 11) / 2 = 8, five below then five
    /// above: one crossing, fewer than the 2 expected for n = 10.
    @Test func runRulesPerPhase() throws {
        let first: [Double] = [1, 9, 2, 8, 3, 7, 4, 6, 10, 0, 11, 12]
        let second: [Double] = [1, 2, 3, 4, 5, 11, 12, 13, 14, 15]
        let result = try ChartAnalysis.analyse(
            measure: "m", kind: .run, points: valuePoints(first + second), phaseStarts: [12])
        #expect(result.centre == 8)
        #expect(result.runs.crossings == 1)
        #expect(result.runs.signal)
        #expect(result.signal(.fewCrossings)?.points == Array(12..<22))
        #expect(
            result.signal(.fewCrossings)?.message
                == "The data cross the median 1 time in phase 2, fewer than the 2 expected by chance: the process has likely shifted"
        )
    }
}
