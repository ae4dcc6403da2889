import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// Centre lines and limits for every chart kind, against published worked examples where they
/// exist and hand arithmetic otherwise.
struct ChartControlLimitsTests {
    // MARK: I and MR charts

    /// NIST/SEMATECH e-Handbook §6.3.2.2, flow-rate individuals chart: x̄ = 50.81,
    /// MR̄ = 1.8778, UCL = 55.8041, LCL = 45.8159; MR chart UCL = 6.1349 (published).
    /// By hand: Σx = 508.1 over 10 points; moving ranges 2.0, 2.3, 1.4, 3.5, 3.4, 1.4, 0.2,
    /// 1.2, 1.5 sum to 16.9, MR̄ = 16.9 / 9 = 1.87778; none reaches 3.267 × 1.87778 = 6.1347,
    /// so screening keeps all. 3σ = 3 × 1.87778 / 1.128 = 4.99409.
    static let flowRate: [Double] = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]

    @Test func iChartNISTFlowRate() throws {
        let result = try ChartAnalysis.analyse(measure: "Flow", kind: .i, points: valuePoints(Self.flowRate))
        #expect(isClose(result.centre, 50.81, 1e-9))
        for point in result.points {
            #expect(isClose(point.ucl, 55.8041, 1e-4))
            #expect(isClose(point.lcl, 45.8159, 1e-4))
            #expect(!point.outside)
        }
        // Ten points: limits are computed but flagged as provisional.
        #expect(
            result.signal(.fewPointsForLimits)?.message
                == "The limits rest on only 10 points: at least 12 are advised before trusting them")
        // Runs against the mean: − − − + − + + + + + → 4 runs, longest 5, 3 crossings.
        #expect(
            result.runs
                == RunsSummary(
                    useful: 10, longestRun: 5, longestRunMax: 6, crossings: 3, crossingsMin: 2, signal: false))
    }

    @Test func mrChartNISTFlowRate() throws {
        let result = try ChartAnalysis.analyse(measure: "Flow", kind: .mr, points: valuePoints(Self.flowRate))
        #expect(result.points[0].value == nil)
        #expect(result.points[0].lcl == nil && result.points[0].ucl == nil)
        #expect(isClose(result.points[1].value, 2.0, 1e-9))
        #expect(isClose(result.centre, 1.8778, 1e-4))
        for point in result.points.dropFirst() {
            // 3.267 × 1.87778 = 6.13470; the handbook prints 6.1349 from rounded inputs.
            #expect(isClose(point.ucl, 6.1347, 1e-4))
            #expect(point.lcl == 0)
        }
        // MR charts count runs but never signal on them.
        #expect(result.runs.signal == false)
        #expect(!result.rules.contains(.tooFewPoints))
    }

    /// The moving-range screening qicharts2 applies (Nelson 1982; Provost & Murray).
    /// 10, 11 alternating for 11 points, then 30: ten moving ranges of 1 and one of
    /// |30 − 10| = 20. MR̄ = (10 + 20) / 11 = 2.7273; the cut-off 3.267 × 2.7273 = 8.91 drops
    /// the 20, leaving MR̄ = 1 and σ = 1 / 1.128 = 0.88652. Mean = (6 × 10 + 5 × 11 + 30) / 12
    /// = 145 / 12 = 12.0833; UCL = 12.0833 + 3 × 0.88652 = 14.7429, LCL = 9.4238.
    /// Unscreened, the UCL would be 12.0833 + 3 × 2.7273 / 1.128 = 19.3367.
    @Test func iChartScreensLargeMovingRanges() throws {
        let values: [Double] = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 30]
        let result = try ChartAnalysis.analyse(measure: "m", kind: .i, points: valuePoints(values))
        #expect(isClose(result.centre, 145.0 / 12))
        #expect(isClose(result.points[0].ucl, 14.742908, 1e-6))
        #expect(isClose(result.points[0].lcl, 9.423759, 1e-6))
        #expect(result.signal(.outsideLimits)?.points == [11])
        #expect(result.signal(.fewPointsForLimits) == nil)
    }

    // MARK: C chart

    /// NIST/SEMATECH e-Handbook §6.3.3.1, wafer defects: c̄ = 400 / 25 = 16, UCL = 16 + 3 × 4
    /// = 28, LCL = 16 − 12 = 4. The 28 at index 2 sits exactly on the UCL and is not outside
    /// (strictly above is required); the 31 at index 23 is.
    @Test func cChartNISTWaferDefects() throws {
        let counts: [Double] = [
            16, 14, 28, 16, 12, 20, 10, 12, 10, 17, 19, 17, 14, 16, 15, 13, 14, 16, 11, 20, 11, 19, 16, 31, 13,
        ]
        let result = try ChartAnalysis.analyse(measure: "Defects", kind: .c, points: valuePoints(counts))
        #expect(result.centre == 16)
        #expect(result.points[0].ucl == 28)
        #expect(result.points[0].lcl == 4)
        #expect(result.points[2].outside == false)
        #expect(result.signal(.outsideLimits)?.points == [23])
    }

    /// Montgomery, Introduction to Statistical Quality Control, Example 7.3 (printed circuit
    /// boards, 26 samples): c̄ = 516 / 26 = 19.85, UCL = 19.85 + 3√19.85 = 33.22,
    /// LCL = 6.48; samples 6 (5 nonconformities) and 20 (39) are outside.
    @Test func cChartMontgomeryCircuitBoards() throws {
        let counts: [Double] = [
            21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39, 30, 24, 16, 19, 17, 15,
        ]
        let result = try ChartAnalysis.analyse(measure: "Nonconformities", kind: .c, points: valuePoints(counts))
        #expect(isClose(result.centre, 19.846, 1e-3))
        #expect(isClose(result.points[0].ucl, 33.21, 0.01))
        #expect(isClose(result.points[0].lcl, 6.48, 0.01))
        #expect(result.outsidePoints == [5, 19])
        #expect(result.signals.filter { $0.rule == .outsideLimits }.map(\.side) == [.higher, .lower])
    }

    /// The C chart's lower limit stops at zero: c̄ = 2 gives 2 − 3√2 = −2.24 → 0.
    @Test func cChartLowerLimitClampsAtZero() throws {
        let result = try ChartAnalysis.analyse(measure: "m", kind: .c, points: valuePoints([1, 3, 2, 2]))
        #expect(result.points[0].lcl == 0)
        #expect(isClose(result.points[0].ucl, 2 + 3 * 2.0.squareRoot()))
    }

    // MARK: U chart

    /// Montgomery Example 7.5 (dyed cloth, rolls of different size; also qcc's `dyedcloth`):
    /// 153 nonconformities in 107.5 units of 50 m², ū = 1.4233. Limits vary per roll:
    /// n = 10: 1.4233 ± 3√(1.4233/10) = 1.4233 ± 1.1318 → 2.5550 and 0.2915;
    /// n = 8: ± 3√(0.17791) = ± 1.2654 → 2.6886 and 0.1579;
    /// n = 13: ± 3√(0.10948) = ± 0.9926 → 2.4159 and 0.4306.
    /// No roll is outside (largest rate 23 / 12.5 = 1.84).
    @Test func uChartMontgomeryDyedCloth() throws {
        let counts: [Double] = [14, 12, 20, 11, 7, 10, 21, 16, 19, 23]
        let units: [Double] = [10, 8, 13, 10, 9.5, 10, 12, 10.5, 12, 12.5]
        let result = try ChartAnalysis.analyse(
            measure: "Defects per unit", kind: .u, points: ratioPoints(counts, units))
        #expect(isClose(result.centre, 153 / 107.5))
        #expect(isClose(result.points[0].value, 1.4))
        #expect(isClose(result.points[0].ucl, 2.5550, 1e-4))
        #expect(isClose(result.points[0].lcl, 0.2915, 1e-4))
        #expect(isClose(result.points[1].ucl, 2.6886, 1e-4))
        #expect(isClose(result.points[1].lcl, 0.1579, 1e-4))
        #expect(isClose(result.points[2].ucl, 2.4159, 1e-4))
        #expect(isClose(result.points[2].lcl, 0.4306, 1e-4))
        #expect(result.signal(.outsideLimits) == nil)
    }

    // MARK: P chart

    /// Montgomery Example 7.1 (orange-juice cans, 30 samples of 50; also NIST §6.3.3.2 and
    /// qcc's `orangejuice`): p̄ = 347 / 1500 = 0.2313, UCL = 0.2313 + 3√(0.2313 × 0.7687 / 50)
    /// = 0.4102, LCL = 0.0524. Samples 15 (22/50 = 0.44) and 23 (24/50 = 0.48) are above.
    @Test func pChartMontgomeryOrangeJuice() throws {
        let defective: [Double] = [
            12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6,
        ]
        let result = try ChartAnalysis.analyse(
            measure: "Defective cans", kind: .p, points: ratioPoints(defective, Array(repeating: 50, count: 30))
        )
        #expect(isClose(result.centre, 0.23133, 1e-5))
        #expect(isClose(result.points[0].ucl, 0.4102, 1e-4))
        #expect(isClose(result.points[0].lcl, 0.0524, 1e-4))
        #expect(isClose(result.points[14].value, 0.44))
        #expect(result.signal(.outsideLimits)?.points == [14, 22])
        #expect(
            result.signal(.outsideLimits)?.message
                == "2 points are above the upper control limit (2026-01-15, 2026-01-23): look for a special cause")
    }

    /// Varying denominators and clamping, by hand. Numerators 1, 10, 2, 7 of 10, 100, 20, 70:
    /// p̄ = 20 / 200 = 0.1, p̄(1 − p̄) = 0.09.
    /// n = 10: 3√0.009 = 0.28460 → UCL 0.38460, LCL −0.18 → 0.
    /// n = 100: 3√0.0009 = 0.09 → UCL 0.19, LCL 0.01.
    /// n = 20: 3√0.0045 = 0.20125 → UCL 0.30125, LCL 0.
    /// n = 70: 3√0.0012857 = 0.10757 → UCL 0.20757, LCL 0.
    /// And at the top: 9 of 10 and 45 of 50, p̄ = 54 / 60 = 0.9; n = 10: 0.9 + 0.2846 → 1,
    /// LCL 0.61540; n = 50: 3√0.0018 = 0.12728 → UCL 1.0273 → 1, LCL 0.77272.
    @Test func pChartVaryingDenominatorsAndClamping() throws {
        let low = try ChartAnalysis.analyse(
            measure: "m", kind: .p, points: ratioPoints([1, 10, 2, 7], [10, 100, 20, 70]))
        #expect(isClose(low.centre, 0.1))
        let expected: [(ucl: Double, lcl: Double)] = [(0.384605, 0), (0.19, 0.01), (0.301246, 0), (0.207571, 0)]
        for (point, limits) in zip(low.points, expected) {
            #expect(isClose(point.ucl, limits.ucl, 1e-6))
            #expect(isClose(point.lcl, limits.lcl, 1e-9))
        }

        let high = try ChartAnalysis.analyse(measure: "m", kind: .p, points: ratioPoints([9, 45], [10, 50]))
        #expect(high.points.map(\.ucl) == [1, 1])
        #expect(isClose(high.points[0].lcl, 0.615395, 1e-6))
        #expect(isClose(high.points[1].lcl, 0.772721, 1e-6))
    }

    // MARK: Laney P′ and U′

    /// With equal denominators Laney's P′ limits equal the I chart limits of the proportions
    /// (Laney 2002). 100, 130, 90, 120 of 1000 each: p̄ = 0.11, σ = √(0.11 × 0.89 / 1000)
    /// = 0.0098944; z = −1.0107, 2.0213, −2.0213, 1.0107; moving ranges 3.0320, 4.0427,
    /// 3.0320, mean 3.3689, σ_z = 2.9866. 3σσ_z = 0.088652, the same as the I chart's
    /// 3 × mean(0.03, 0.04, 0.03) / 1.128 = 0.088652.
    @Test func pPrimeEqualsIChartForEqualDenominators() throws {
        let points = ratioPoints([100, 130, 90, 120], [1000, 1000, 1000, 1000])
        let prime = try ChartAnalysis.analyse(measure: "m", kind: .pp, points: points)
        let individuals = try ChartAnalysis.analyse(measure: "m", kind: .i, points: points)
        #expect(isClose(prime.centre, 0.11))
        #expect(isClose(prime.points[0].ucl, 0.11 + 0.0886525, 1e-7))
        #expect(isClose(prime.points[0].lcl, 0.11 - 0.0886525, 1e-7))
        #expect(isClose(prime.points[0].ucl, individuals.points[0].ucl ?? .nan, 1e-12))
    }

    /// P′ with varying denominators, by hand. 50/500, 260/2000, 90/1000, 240/1500:
    /// p̄ = 640 / 5000 = 0.128; σᵢ = √(0.128 × 0.872 / nᵢ) = 0.014941, 0.0074705, 0.010565,
    /// 0.0086262; z = −1.87404, 0.26772, −3.59683, 3.70965; moving ranges 2.14176, 3.86455,
    /// 7.30648 (all below 3.267 × 4.43760 = 14.498), σ_z = 4.43760 / 1.128 = 3.93404.
    /// n = 500: 0.128 ± 3 × 0.014941 × 3.93404 = ± 0.176335 → UCL 0.304335, LCL 0.
    /// n = 2000: ± 0.0881675 → UCL 0.216167, LCL 0.039833.
    @Test func pPrimeVaryingDenominators() throws {
        let result = try ChartAnalysis.analyse(
            measure: "m", kind: .pp, points: ratioPoints([50, 260, 90, 240], [500, 2000, 1000, 1500]))
        #expect(isClose(result.centre, 0.128))
        #expect(isClose(result.points[0].ucl, 0.304335, 1e-6))
        #expect(result.points[0].lcl == 0)
        #expect(isClose(result.points[1].ucl, 0.216167, 1e-6))
        #expect(isClose(result.points[1].lcl, 0.039833, 1e-6))
    }

    /// U′ by hand. 20/10, 45/20, 12/8, 30/12: ū = 107 / 50 = 2.14; σᵢ = √(2.14 / nᵢ) = 0.46260,
    /// 0.32711, 0.51720, 0.42230; z = −0.30264, 0.33628, −1.23742, 0.85248; moving ranges
    /// 0.63892, 1.57370, 2.08991, mean 1.43418, σ_z = 1.27143.
    /// n = 10: 2.14 ± 3 × 0.46260 × 1.27143 = ± 1.76450 → UCL 3.90450, LCL 0.37550.
    /// n = 8: ± 1.97277 → UCL 4.11277, LCL 0.16723.
    @Test func uPrimeVaryingDenominators() throws {
        let result = try ChartAnalysis.analyse(
            measure: "m", kind: .up, points: ratioPoints([20, 45, 12, 30], [10, 20, 8, 12]))
        #expect(isClose(result.centre, 2.14))
        #expect(isClose(result.points[0].ucl, 3.904498, 1e-5))
        #expect(isClose(result.points[0].lcl, 0.375502, 1e-5))
        #expect(isClose(result.points[2].ucl, 4.112769, 1e-5))
        #expect(isClose(result.points[2].lcl, 0.167231, 1e-5))
    }

    /// With p̄ = 0 z-scores do not exist, so Laney's factor cannot be estimated: like qicharts2,
    /// no limits, and a warning that says why.
    @Test func pPrimeWithZeroProportion() throws {
        let result = try ChartAnalysis.analyse(measure: "m", kind: .pp, points: ratioPoints([0, 0, 0], [10, 20, 30]))
        #expect(result.centre == 0)
        #expect(result.points.allSatisfy { $0.lcl == nil && $0.ucl == nil && !$0.outside })
        #expect(result.signal(.noVariation) != nil)
    }

    // MARK: G chart

    /// G chart as in qicharts2: limits from the mean, centre line at the median.
    /// 3, 10, 0, 25, 7, 1, 14, 5, 2, 60, 8, 6: mean = 141 / 12 = 11.75;
    /// UCL = 11.75 + 3√(11.75 × 12.75) = 11.75 + 3 × 12.23979 = 48.46937; LCL = 0.
    /// Sorted 0, 1, 2, 3, 5, 6, 7, 8, 10, 14, 25, 60: median (6 + 7) / 2 = 6.5.
    /// The 60 is above the UCL.
    @Test func gChartUsesMedianCentreAndMeanLimits() throws {
        let counts: [Double] = [3, 10, 0, 25, 7, 1, 14, 5, 2, 60, 8, 6]
        let result = try ChartAnalysis.analyse(
            measure: "Surgeries between deaths", kind: .g, points: valuePoints(counts))
        #expect(result.centre == 6.5)
        #expect(result.points.allSatisfy { $0.centre == 6.5 && $0.lcl == 0 })
        #expect(isClose(result.points[0].ucl, 48.469375, 1e-6))
        #expect(result.signal(.outsideLimits)?.points == [9])
        // Runs are counted around the median: six points above and six below it.
        #expect(result.runs.useful == 12)
    }
}
