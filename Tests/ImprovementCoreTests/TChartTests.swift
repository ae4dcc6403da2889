import Foundation
import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// The T chart against qicharts2's `qic.t`: an I chart on y^(1/3.6), its lines raised back to 3.6.
struct TChartTests {
    @Test func linesAreTheBackTransformedIChartOfTheTransformedTimes() throws {
        let days: [Double] = [10, 20, 5, 40, 15, 25, 30, 8, 12, 50, 35, 18]
        let result = try ChartAnalysis.analyse(measure: "m", kind: .t, points: valuePoints(days), better: .up)
        // By hand: x = y^(1/3.6); mean of x = 2.2798…; mean moving range of x (none screened) = 0.6208…;
        // sigma = that ÷ 1.128; centre = mean^3.6, limits (mean ± 3 sigma)^3.6.
        let transformed = days.map { pow($0, 1 / 3.6) }
        let mean = transformed.reduce(0, +) / 12
        let ranges = zip(transformed.dropFirst(), transformed).map { abs($0 - $1) }
        let sigma = ranges.reduce(0, +) / 11 / 1.128
        #expect(isClose(result.centre, pow(mean, 3.6)))
        #expect(isClose(result.points[0].ucl, pow(mean + 3 * sigma, 3.6)))
        #expect(isClose(result.points[0].lcl, pow(mean - 3 * sigma, 3.6)))
        // The same numbers worked through once by hand, to four figures.
        #expect(isClose(result.centre, 19.3837, 1e-3))
        #expect(isClose(result.points[0].ucl, 119.0938, 1e-3))
        #expect(isClose(result.points[0].lcl, 0.4167, 1e-3))
        #expect(result.points.allSatisfy { !$0.outside })
    }

    @Test func aLowerLineBelowZeroIsZero() throws {
        let result = try ChartAnalysis.analyse(
            measure: "m", kind: .t, points: valuePoints([1, 60, 2, 90, 1, 70, 3, 80, 2, 65, 1, 75]))
        #expect(result.points[0].lcl == 0)
        #expect(result.points[0].ucl! > 90)
    }

    @Test func aTimeOfZeroIsRefused() {
        #expect(throws: ChartError.nonPositiveTime(period: period(1))) {
            try ChartAnalysis.analyse(measure: "m", kind: .t, points: valuePoints([3, 0, 4]))
        }
        #expect(ChartError.nonPositiveTime(period: "2026-01-05").description.contains("above zero"))
    }

    @Test func aLongGapBetweenEventsIsAnImprovementWhenRarerIsBetter() throws {
        let days: [Double] = [10, 20, 5, 40, 15, 25, 30, 8, 12, 50, 35, 18, 400]
        let result = try ChartAnalysis.analyse(measure: "m", kind: .t, points: valuePoints(days), better: .up)
        #expect(result.points[12].outside)
        #expect(result.variation == .improvement)
    }
}
