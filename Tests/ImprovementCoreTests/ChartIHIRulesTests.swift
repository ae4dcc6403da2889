import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// The IHI run chart rules of Perla, Provost & Murray (2011).
struct ChartIHIRulesTests {
    /// Six in a row on one side is a shift; five is not. Values 1, 2, 1, 2 then six 9s, then
    /// 1, 2, 1, 2, 9, 9 (16 points): eight values ≤ 2 and eight 9s, median (2 + 9) / 2 = 5.5.
    /// The six 9s at indexes 4…9 form a shift; the two 9s at the end do not.
    @Test func shiftNeedsSixPoints() throws {
        let values: [Double] = [1, 2, 1, 2, 9, 9, 9, 9, 9, 9, 1, 2, 1, 2, 9, 9]
        let result = try ChartAnalysis.analyse(measure: "m", kind: .run, points: valuePoints(values), rules: .ihi)
        #expect(result.centre == 5.5)
        let shifts = result.signals.filter { $0.rule == .shift }
        #expect(shifts.map(\.points) == [Array(4...9)])
        #expect(shifts.first?.message == "Shift: 6 points in a row above the median")
        #expect(result.runs.longestRunMax == 5)
        #expect(result.runs.signal)

        // Five in a row: drop one 9 from the block (15 points, seven 9s of fifteen values;
        // median is the 8th sorted value, 2, and the 2s sit on it).
        let five: [Double] = [1, 2, 1, 2, 9, 9, 9, 9, 9, 1, 2, 1, 2, 9, 9]
        let shorter = try ChartAnalysis.analyse(measure: "m", kind: .run, points: valuePoints(five), rules: .ihi)
        #expect(shorter.signal(.shift) == nil)
    }

    /// Five points all going up is a trend, and a repeated value neither makes nor breaks it:
    /// 5, 1, 2, 2, 3, 4, 6, 0 has the rising stretch 1, 2, (2), 3, 4, 6 = five distinct steps'
    /// worth of points (1, 2, 3, 4, 6) spanning indexes 1…6.
    @Test func trendIgnoresTies() {
        let values: [Double?] = [5, 1, 2, 2, 3, 4, 6, 0]
        let trends = RunAnalysis.trends(values, in: 0..<values.count)
        #expect(trends == [RunAnalysis.Trend(points: 1...6, count: 5, rising: true)])
    }

    /// Four distinct rising points are not a trend even with a tie making five values.
    @Test func fourDistinctPointsAreNoTrend() {
        let values: [Double?] = [1, 2, 3, 3, 4, 2]
        #expect(RunAnalysis.trends(values, in: 0..<values.count).isEmpty)
    }

    /// A falling trend is found inside a chart: 9, 8, 7, 6, 5 falls through five points, then
    /// the data turn (12 points; trends count points on the median too).
    @Test func fallingTrendInChart() throws {
        let values: [Double] = [9, 8, 7, 6, 5, 8, 4, 9, 3, 8, 4, 9]
        let result = try ChartAnalysis.analyse(measure: "m", kind: .run, points: valuePoints(values), rules: .ihi)
        let trend = result.signal(.trend)
        #expect(trend?.points == [0, 1, 2, 3, 4])
        #expect(trend?.message == "Trend: 5 points in a row all going down")
    }

    /// Too few runs. Blocks of five low values (2, 1, 3, 1, 2) and five high (8, 9, 7, 9, 8),
    /// low–high–low–high, 20 points: ten values ≤ 3 and ten ≥ 7, median (3 + 7) / 2 = 5.
    /// Four runs of five: no shift (fewer than six), and no stretch of five points moves one
    /// way (longest is 1, 2, 8, 9). For n = 20 the table needs at least 6 runs: 4 is too few.
    /// The Anhøj rules agree: 3 crossings is below the 6 expected for n = 20.
    @Test func tooFewRuns() throws {
        let low: [Double] = [2, 1, 3, 1, 2], high: [Double] = [8, 9, 7, 9, 8]
        let points = valuePoints(low + high + low + high)
        let ihi = try ChartAnalysis.analyse(measure: "m", kind: .run, points: points, rules: .ihi)
        #expect(ihi.centre == 5)
        #expect(ihi.rules == [.tooFewRuns])
        #expect(
            ihi.signal(.tooFewRuns)?.message
                == "Only 4 runs around the median: fewer than the 6 expected by chance for 20 points")
        #expect(
            ihi.runs
                == RunsSummary(useful: 20, longestRun: 5, longestRunMax: 5, crossings: 3, crossingsMin: 5, signal: true)
        )

        let anhoej = try ChartAnalysis.analyse(measure: "m", kind: .run, points: points)
        #expect(anhoej.rules == [.fewCrossings])
    }

    /// Too many runs: 20 points alternating 1, 9 make 20 runs, above the limit of 16.
    @Test func tooManyRuns() throws {
        let values: [Double] = Array(repeating: [1, 9], count: 10).flatMap { $0 }
        let result = try ChartAnalysis.analyse(measure: "m", kind: .run, points: valuePoints(values), rules: .ihi)
        #expect(result.rules == [.tooManyRuns])
        #expect(result.runs.crossings == 19)
        #expect(result.runs.signal)
    }

    /// Below 10 useful points the IHI rules stay silent too, even for a shift of six: on an
    /// I chart of 1 ×6 then 9 ×3 the mean is (6 + 27) / 9 = 3.67, so six points sit below it.
    @Test func tooFewPointsSilencesIHI() throws {
        let result = try ChartAnalysis.analyse(
            measure: "m", kind: .i, points: valuePoints([1, 1, 1, 1, 1, 1, 9, 9, 9]), rules: .ihi
        )
        #expect(result.runs.longestRun == 6)
        #expect(result.rules.contains(.tooFewPoints))
        #expect(!result.rules.contains(.shift))
        #expect(result.runs.signal == false)
    }
}
