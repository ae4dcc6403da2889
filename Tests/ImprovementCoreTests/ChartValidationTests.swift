import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// Input that does not fit the chart kind is refused with a plain-words error.
struct ChartValidationTests {
    @Test func pChartWithoutDenominator() {
        let points = [
            ChartInput(period: "2026-02-23", numerator: 3, denominator: 40),
            ChartInput(period: "2026-03-02", numerator: 4),
        ]
        #expect(throws: ChartError.missingDenominator(period: "2026-03-02", kind: .p)) {
            try ChartAnalysis.analyse(measure: "m", kind: .p, points: points)
        }
        #expect(
            ChartError.missingDenominator(period: "2026-03-02", kind: .p).description
                == "Point 2026-03-02 has no denominator: a p chart needs numerator and denominator for every point")
    }

    @Test func uChartWithZeroDenominator() {
        let points = [ChartInput(period: "2026-01-05", numerator: 2, denominator: 0)]
        let error = ChartError.nonPositiveDenominator(period: "2026-01-05", denominator: 0, kind: .u)
        #expect(throws: error) { try ChartAnalysis.analyse(measure: "m", kind: .u, points: points) }
        #expect(
            error.description
                == "Point 2026-01-05 has a denominator of 0: a u chart divides by the denominator, so it must be above zero"
        )
    }

    @Test func pChartWithoutNumeratorIgnoresValue() {
        // A value alone is not enough for a p chart: the proportion needs both counts.
        let points = [ChartInput(period: "2026-01-05", value: 0.5, denominator: 10)]
        #expect(throws: ChartError.missingNumerator(period: "2026-01-05", kind: .p)) {
            try ChartAnalysis.analyse(measure: "m", kind: .p, points: points)
        }
    }

    @Test(arguments: [ChartKind.i, .mr, .c, .g, .run])
    func missingValue(kind: ChartKind) {
        let points = valuePoints([1, 2]) + [ChartInput(period: "2026-04-01")]
        #expect(throws: ChartError.missingValue(period: "2026-04-01", kind: kind)) {
            try ChartAnalysis.analyse(measure: "m", kind: kind, points: points)
        }
    }

    @Test func missingValueMessage() {
        #expect(
            ChartError.missingValue(period: "2026-04-01", kind: .i).description
                == "Point 2026-04-01 has no value: an I chart needs a value, or a numerator and a denominator, for every point"
        )
        #expect(
            ChartError.missingValue(period: "2026-04-01", kind: .c).description
                == "Point 2026-04-01 has no value: a c chart needs a value for every point")
    }

    @Test func runChartWithOnlyNumerator() {
        let points = [ChartInput(period: "2026-01-05", numerator: 2)]
        #expect(throws: ChartError.missingDenominator(period: "2026-01-05", kind: .run)) {
            try ChartAnalysis.analyse(measure: "m", kind: .run, points: points)
        }
    }

    @Test func negativeCount() {
        #expect(throws: ChartError.negativeCount(period: period(1), kind: .c)) {
            try ChartAnalysis.analyse(measure: "m", kind: .c, points: valuePoints([3, -1]))
        }
        #expect(throws: ChartError.negativeCount(period: period(0), kind: .u)) {
            try ChartAnalysis.analyse(measure: "m", kind: .u, points: ratioPoints([-1], [5]))
        }
    }

    @Test func proportionAboveOne() {
        #expect(throws: ChartError.numeratorAboveDenominator(period: period(0), kind: .pp)) {
            try ChartAnalysis.analyse(measure: "m", kind: .pp, points: ratioPoints([6], [5]))
        }
        // A rate above 1 is fine.
        #expect(throws: Never.self) { try ChartAnalysis.analyse(measure: "m", kind: .u, points: ratioPoints([6], [5])) }
    }

    @Test func notFiniteNumbers() {
        #expect(throws: ChartError.notFinite(period: period(1))) {
            try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints([1, .nan]))
        }
        #expect(throws: ChartError.notFinite(period: period(0))) {
            try ChartAnalysis.analyse(measure: "m", kind: .p, points: ratioPoints([1], [.infinity]))
        }
    }

    @Test func invalidOptions() {
        let points = valuePoints([1, 2, 3])
        #expect(throws: ChartError.invalidBaseline(0)) {
            try ChartAnalysis.analyse(measure: "m", kind: .i, points: points, baseline: 0)
        }
        #expect(throws: ChartError.invalidPhaseStart(index: 3, pointCount: 3)) {
            try ChartAnalysis.analyse(measure: "m", kind: .i, points: points, phaseStarts: [3])
        }
        #expect(throws: ChartError.invalidPhaseStart(index: -1, pointCount: 3)) {
            try ChartAnalysis.analyse(measure: "m", kind: .i, points: points, phaseStarts: [-1])
        }
        #expect(
            ChartError.invalidPhaseStart(index: 3, pointCount: 3).description
                == "A phase cannot start at point 3: the chart has 3 points, numbered 0 to 2")
    }

    /// No points is not an error: the chart is empty and says why the rules are silent.
    @Test func emptyChart() throws {
        let result = try ChartAnalysis.analyse(measure: "m", kind: .p, points: [])
        #expect(result.centre == nil)
        #expect(result.points.isEmpty)
        #expect(
            result.runs
                == RunsSummary(useful: 0, longestRun: 0, longestRunMax: 0, crossings: 0, crossingsMin: 0, signal: false)
        )
        #expect(result.rules == [.tooFewPoints])
    }

    /// A single I chart point has a centre but no moving range, so no limits.
    @Test func singlePointHasNoLimits() throws {
        let result = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints([7]))
        #expect(result.points[0].centre == 7)
        #expect(result.points[0].ucl == nil && result.points[0].lcl == nil)
        #expect(!result.points[0].outside)
    }
}
