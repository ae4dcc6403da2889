import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// Run charts with the default Anhøj rules (Anhøj & Olesen 2014; qicharts2's runs analysis).
struct RunChartTests {
    /// A sustained shift halfway, as in the qicharts2 vignette's "moderate, persistent shift"
    /// example, with the numbers made exact: 12 points alternating 3, 5 then 12 alternating
    /// 8, 9. Sorted, six 3s, six 5s, six 8s, six 9s: median = (5 + 8) / 2 = 6.5. The first
    /// twelve are below and the last twelve above: two runs of 12, one crossing. With n = 24
    /// the limits are a longest run of 8 and at least 8 crossings, so both rules fire.
    @Test func persistentShiftSignalsBothRules() throws {
        let values: [Double] =
            Array(repeating: [3, 5], count: 6).flatMap { $0 } + Array(repeating: [8, 9], count: 6).flatMap { $0 }
        let result = try ChartAnalysis.analyse(measure: "Falls", kind: .run, points: valuePoints(values))

        #expect(result.centre == 6.5)
        #expect(result.points.allSatisfy { $0.centre == 6.5 && $0.lcl == nil && $0.ucl == nil && !$0.outside })
        #expect(
            result.runs
                == RunsSummary(
                    useful: 24, longestRun: 12, longestRunMax: 8, crossings: 1, crossingsMin: 8, signal: true))
        // One signal per long run, each with its side.
        #expect(result.rules == [.longRun, .longRun, .fewCrossings])
        #expect(result.signals.filter { $0.rule == .longRun }.map(\.points) == [Array(0..<12), Array(12..<24)])
        #expect(result.signals.filter { $0.rule == .longRun }.map(\.side) == [.lower, .higher])
    }

    /// Random-looking data: 1, 9, 2, 8, 3, 7, 4, 6, 10, 0, 11, 12 sorted is 0, 1, 2, 3, 4, 6, 7,
    /// 8, 9, 10, 11, 12, median = (6 + 7) / 2 = 6.5. Sides: − + − + − + − − + − + +, giving
    /// runs of 1, 1, 1, 1, 1, 1, 2, 1, 1, 2: ten runs, nine crossings, longest 2. n = 12:
    /// longest allowed round(log2(12) + 3) = round(6.58) = 7; crossings at least 3. No signal.
    @Test func commonCauseVariationDoesNotSignal() throws {
        let result = try ChartAnalysis.analyse(
            measure: "Wait", kind: .run, points: valuePoints([1, 9, 2, 8, 3, 7, 4, 6, 10, 0, 11, 12])
        )
        #expect(result.centre == 6.5)
        #expect(
            result.runs
                == RunsSummary(
                    useful: 12, longestRun: 2, longestRunMax: 7, crossings: 9, crossingsMin: 3, signal: false))
        #expect(result.signals.isEmpty)
    }

    /// Points on the median neither break nor count towards runs.
    /// Values 1, 2, 10, 3, 4, 6, 20, 21, 22, 10, 10, 23, 24 sorted: 1, 2, 3, 4, 6, 10, 10, 10,
    /// 20, 21, 22, 23, 24, so the median (7th of 13) is 10 and three points sit on it.
    /// Useful points: 1, 2, 3, 4, 6 below (indexes 0, 1, 3, 4, 5) and 20, 21, 22, 23, 24 above
    /// (6, 7, 8, 11, 12): n = 10, two runs of 5, one crossing. If the points on the median broke
    /// runs there would be four runs and three crossings instead. For n = 10 at least 2
    /// crossings are expected, so one crossing is a signal; the longest run (5) is within 6.
    @Test func tiesOnTheMedianAreSkipped() throws {
        let result = try ChartAnalysis.analyse(
            measure: "LOS", kind: .run, points: valuePoints([1, 2, 10, 3, 4, 6, 20, 21, 22, 10, 10, 23, 24])
        )
        #expect(result.centre == 10)
        #expect(
            result.runs
                == RunsSummary(useful: 10, longestRun: 5, longestRunMax: 6, crossings: 1, crossingsMin: 2, signal: true)
        )
        #expect(result.rules == [.fewCrossings])
        #expect(result.signal(.fewCrossings)?.points == [0, 1, 3, 4, 5, 6, 7, 8, 11, 12])
    }

    /// Eight points, none on the median (4.5 for 1…8), are too few for the run rules, even
    /// though 1, 2, 3, 4 then 5, 6, 7, 8 would be one crossing.
    @Test func tooFewPointsNeverSignals() throws {
        let result = try ChartAnalysis.analyse(
            measure: "Audit", kind: .run, points: valuePoints([1, 2, 3, 4, 5, 6, 7, 8]))
        #expect(result.runs.useful == 8)
        #expect(result.runs.crossings == 1)
        #expect(result.runs.signal == false)
        #expect(result.signals.isEmpty)
        #expect(
            result.warnings == [
                ChartWarning(
                    rule: .tooFewPoints,
                    message: "Only 8 points: at least 10 are needed before run rules can signal",
                    points: Array(0..<8)
                )
            ])
        #expect(result.verdict.verdict == .tooFewPoints)
    }

    /// With an odd count one point is the median itself, and the message says so.
    /// Values 1…11: median 6, one point on it, ten useful: enough. Values 1…9: median 5,
    /// eight useful, too few.
    @Test func tooFewUsefulPointsCountsTheMedianPoint() throws {
        let enough = try ChartAnalysis.analyse(measure: "m", kind: .run, points: valuePoints((1...11).map(Double.init)))
        #expect(enough.runs.useful == 10)
        #expect(enough.signal(.tooFewPoints) == nil)

        let few = try ChartAnalysis.analyse(measure: "m", kind: .run, points: valuePoints((1...9).map(Double.init)))
        #expect(
            few.signal(.tooFewPoints)?.message
                == "Only 8 useful points (1 on the median): at least 10 are needed before run rules can signal")
    }

    /// A run chart given numerators and denominators plots their ratio.
    /// 3/10 = 0.3, 1/4 = 0.25, 2/5 = 0.4; the median of 0.25, 0.3, 0.4 is 0.3.
    @Test func ratioIsPlottedWhenNumeratorAndDenominatorAreGiven() throws {
        let result = try ChartAnalysis.analyse(measure: "m", kind: .run, points: ratioPoints([3, 1, 2], [10, 4, 5]))
        #expect(result.points.map(\.value) == [0.3, 0.25, 0.4])
        #expect(result.points.map(\.numerator) == [3, 1, 2])
        #expect(result.points.map(\.denominator) == [10, 4, 5])
        #expect(result.centre == 0.3)
    }

    /// Control charts compare with the mean. Seven points 1, 2, 3, 5, 6, 7, 8 have mean
    /// 32 / 7 = 4.571, so no point is on the centre line and the message counts all seven.
    @Test func controlChartRunsUseTheMean() throws {
        let result = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints([1, 2, 3, 5, 6, 7, 8]))
        #expect(isClose(result.centre, 32.0 / 7))
        #expect(result.runs.useful == 7)
        #expect(
            result.signal(.tooFewPoints)?.message == "Only 7 points: at least 10 are needed before run rules can signal"
        )
    }
}
