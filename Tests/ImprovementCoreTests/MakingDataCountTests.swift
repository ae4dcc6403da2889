import Foundation
import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// Making Data Count variation and assurance, on hand-worked series for each rule. The expected
/// flags follow NHSRplotthedots (`ptd_calculate_point_type.R`, `ptd_calculate_assurance_type.R`),
/// whose own unit tests use several of the same vectors.
struct MakingDataCountTests {
    /// Lines with centre 0, two-sigma lines at ±2 and limits at ±3, so a value reads directly.
    private func sides(_ values: [Double]) -> [Int] {
        MakingDataCount.sides(
            of: values.map { .init(value: $0, centre: 0, lower: -3, upper: 3, nearLower: -2, nearUpper: 2) })
    }

    @Test func sevenOnOneSideFlagsTheWholeRun() {
        // NHSRplotthedots: ptd_seven_point_one_side_mean(c(rep(1, 8), -1)) ends a run at points 7 and 8.
        #expect(sides([1, 1, 1, 1, 1, 1, 1, 1, -1]) == [1, 1, 1, 1, 1, 1, 1, 1, 0])
        #expect(sides([-1, -1, -1, -1, -1, -1, -1, 1]) == [-1, -1, -1, -1, -1, -1, -1, 0])
        // Six are not enough, and a point on the centre line ends the run.
        #expect(sides([1, 1, 1, 1, 1, 1, -1]) == [0, 0, 0, 0, 0, 0, 0])
        #expect(sides([1, 1, 1, 0, 1, 1, 1, 1]) == [0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func sevenPointTrendFlagsAllSevenAndTiesBreakIt() {
        let rising: [Double] = [-1.5, -1, -0.5, 0.1, 0.6, 1.1, 1.6]
        #expect(sides(rising) == [1, 1, 1, 1, 1, 1, 1])
        #expect(sides(rising.reversed()) == [-1, -1, -1, -1, -1, -1, -1])
        // c(1:3, 3:6): a repeated value is not a step, so no trend.
        #expect(sides([-1.5, -1, -0.5, -0.5, 0.6, 1.1, 1.6]) == [0, 0, 0, 0, 0, 0, 0])
        // c(2, 1:7, 3): only the seven rising points.
        #expect(sides([0.5, -1.5, -1, -0.5, 0.1, 0.6, 1.1, 1.6, -0.2]) == [0, 1, 1, 1, 1, 1, 1, 1, 0])
        // Up seven then down seven: the peak ends one trend and starts the next, and takes the later.
        let peak: [Double] = [-1.5, -1, -0.5, 0.1, 0.6, 1.1, 1.6, 1.1, 0.6, 0.1, -0.5, -1, -1.5]
        #expect(sides(peak) == [1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1])
    }

    @Test func twoOfThreeBeyondTwoSigmaOnOneSide() {
        // close = c(0, 0, 1, 0, 1, 0, 0) all above: the two close points are flagged, not the one between.
        #expect(sides([-1, 1, 2.5, 1, 2.5, 1, -1]) == [0, 0, 1, 0, 1, 0, 0])
        #expect(sides([-1, -2.5, -2.5, 1]) == [0, -1, -1, 0])
        // Issue #143 of NHSRplotthedots: close points on opposite sides of the centre do not count.
        #expect(sides([2.5, -2.5, 2.5]) == [0, 0, 0])
        // All three must lie on one side: a point below the centre in the window breaks it.
        #expect(sides([2.5, -0.5, 2.5]) == [0, 0, 0])
        // c(1, 0, 0, 1): the close points are three apart.
        #expect(sides([2.5, 1, 1, 2.5]) == [0, 0, 0, 0])
        // A point beyond the limits is flagged as such but is not "close": one close point is not two.
        #expect(sides([3.5, 2.5, 1]) == [1, 0, 0])
    }

    @Test func beyondTheLimitsTakesPrecedenceAndItsSide() {
        // A falling trend whose last point drops below the lower limit: it is "below", not "trend".
        #expect(sides([2.9, 2.5, 2, 1, 0.5, -1, -3.5]) == [-1, -1, -1, -1, -1, -1, -1])
        #expect(sides([0.5, -0.5, 3.5, -0.5, 0.5, -3.2]) == [0, 0, 1, 0, 0, -1])
    }

    @Test func iChartOutliersReadAgainstTheMeasuresDirection() throws {
        // Mean 10; moving ranges 2 (×9), 14, 30; 30 ≥ 3.267 × 62/11 is screened out, so the mean
        // moving range is 32/10 = 3.2, sigma 2.837: limits 1.49 and 18.51.
        let values: [Double] = [9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 25, -5]
        let up = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints(values), better: .up)
        #expect(isClose(up.points[0].ucl, 10 + 3 * 3.2 / 1.128))
        #expect(up.points.map(\.variation) == Array(repeating: .commonCause, count: 10) + [.improvement, .concern])
        #expect(up.variation == .concern)
        let down = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints(values), better: .down)
        #expect(down.points[10].variation == .concern)
        #expect(down.points[11].variation == .improvement)
        let neither = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints(values))
        #expect(neither.points[10].variation == .neutral)
        #expect(neither.points[0].variation == .commonCause)
        // Moving ranges have no better or worse.
        let ranges = try ChartAnalysis.analyse(measure: "m", kind: .mr, points: valuePoints(values), better: .up)
        #expect(ranges.points[0].variation == nil)
        #expect(ranges.points[11].variation == .neutral)
    }

    @Test func runAndTrendOnAnIChart() throws {
        // Eight below the mean, then six above it (six are not a run).
        let values: [Double] = [10, 11, 10, 11, 10, 11, 10, 11, 14, 15, 14, 15, 14, 15]
        let result = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints(values), better: .up)
        #expect(isClose(result.points[0].centre, 171.0 / 14))
        #expect(Array(result.points.prefix(8).map(\.variation)) == Array(repeating: .concern, count: 8))
        #expect(result.points[13].variation != .concern)
    }

    @Test func excludedPointsTakeNoPartAndGetNoVariation() throws {
        // Without point 3 (9, excluded): mean 47/15, moving range 17/14; the seven 1s either side of
        // it are neighbours, so they make a run of 7 below the mean.
        var points = valuePoints([1, 1, 1, 9, 1, 1, 1, 1, 4, 6, 4, 6, 4, 6, 4, 6])
        points[3].note = "known cause"
        let result = try ChartAnalysis.analyse(measure: "m", kind: .i, points: points, excluded: [3], better: .up)
        #expect(isClose(result.centre, 47.0 / 15))
        #expect(result.points[3].variation == nil)
        #expect([0, 1, 2, 4, 5, 6, 7].allSatisfy { result.points[$0].variation == .concern })
    }

    @Test func phasesAreJudgedOnTheirOwnLines() throws {
        // Two flat phases at different levels: each is stable against its own lines.
        let values: [Double] = [9, 11, 9, 11, 9, 11, 9, 11, 19, 21, 19, 21, 19, 21, 19, 21]
        let result = try ChartAnalysis.analyse(
            measure: "m", kind: .i, points: valuePoints(values), phaseStarts: [8], better: .up)
        #expect(result.points.allSatisfy { $0.variation == .commonCause })
        // Without the phase, the first eight lie below the mean and the last eight above it.
        let whole = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints(values), better: .up)
        #expect(whole.points.prefix(8).allSatisfy { $0.variation == .concern })
        #expect(whole.points.suffix(8).allSatisfy { $0.variation == .improvement })
        #expect(whole.variation == .improvement)
    }

    @Test func runChartsFollowTheirRunRuleSignals() throws {
        // Median 5; two runs of 8 (longer than round(log2(16) + 3) = 7) and one crossing.
        let values: [Double] = Array(repeating: 1, count: 8) + Array(repeating: 9, count: 8)
        let result = try ChartAnalysis.analyse(measure: "m", kind: .run, points: valuePoints(values), better: .up)
        #expect(result.points.prefix(8).allSatisfy { $0.variation == .concern })
        #expect(result.points.suffix(8).allSatisfy { $0.variation == .improvement })
        #expect(result.assurance == nil)
        let quiet = try ChartAnalysis.analyse(
            measure: "m", kind: .run, points: valuePoints([3, 5, 4, 6, 3, 5, 4, 6, 3, 5, 4, 6]), better: .up, target: 2)
        #expect(quiet.points.allSatisfy { $0.variation == .commonCause })
        #expect(quiet.assurance == nil)
    }

    @Test func assuranceFromTheTargetAgainstTheLimits() throws {
        // Mean 10, moving range 2: limits 10 ± 5.32, so 4.68 to 15.32.
        let points = valuePoints([9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9, 11])
        func assurance(_ target: Double?, _ better: Measure.Direction?) throws -> TargetAssurance? {
            try ChartAnalysis.analyse(measure: "m", kind: .i, points: points, better: better, target: target).assurance
        }
        #expect(try assurance(20, .up) == .consistentlyFails)
        #expect(try assurance(20, .down) == .consistentlyMeets)
        #expect(try assurance(2, .up) == .consistentlyMeets)
        #expect(try assurance(2, .down) == .consistentlyFails)
        #expect(try assurance(12, .up) == .hitAndMiss)
        #expect(try assurance(12, .down) == .hitAndMiss)
        #expect(try assurance(nil, .up) == nil)
        #expect(try assurance(20, nil) == nil)
        // On a P chart the latest point's limits decide (they vary with its denominator).
        let p = try ChartAnalysis.analyse(
            measure: "m", kind: .p, points: ratioPoints([5, 5, 5, 5], [10, 10, 10, 1000]), better: .up, target: 0.52)
        // p̄ = 20/1030; the last limits are p̄ ± 3√(p̄(1 − p̄)/1000) ≈ 0.0194 ± 0.0131: 0.52 is beyond them.
        #expect(p.assurance == .consistentlyFails)
    }

    @Test func jsonCarriesVariationAndAssurance() throws {
        let result = try ChartAnalysis.analyse(
            measure: "m", kind: .i, points: valuePoints([9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9, 11]), better: .up,
            target: 12)
        let json = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        #expect(json.contains("\"assurance\":\"hit-and-miss\""))
        #expect(json.contains("\"variation\":\"common-cause\""))
        let empty = try ChartAnalysis.analyse(measure: "m", kind: .i, points: [])
        let emptyJSON = String(decoding: try JSONEncoder().encode(empty), as: UTF8.self)
        #expect(emptyJSON.contains("\"variation\":null") && emptyJSON.contains("\"assurance\":null"))
    }
}
