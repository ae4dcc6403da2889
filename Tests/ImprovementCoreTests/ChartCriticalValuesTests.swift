import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// Critical values of the run rules, checked against published tables and exact integers.
struct ChartCriticalValuesTests {
    /// Anhøj & Olesen (2014), table of critical values, rows n = 10, 20, 30, 40, 50.
    @Test(arguments: [(10, 6, 2), (20, 7, 6), (30, 8, 10), (40, 8, 14), (50, 9, 19)])
    func anhoejOlesenTable(n: Int, longestRunMax: Int, crossingsMin: Int) {
        #expect(RunCriticalValues.longestRunMax(useful: n) == longestRunMax)
        #expect(RunCriticalValues.crossingsMin(useful: n) == crossingsMin)
    }

    /// Worked by hand, so the table above is not the only evidence.
    /// n = 10: Binomial(9, ½) has 2⁹ = 512 outcomes; P(X ≤ 1) = (1 + 9)/512 = 0.0195 ≤ 0.05,
    /// P(X ≤ 2) = (1 + 9 + 36)/512 = 0.0898 > 0.05, so the 5th percentile is 2.
    /// n = 24 (the qicharts2 vignette's example, "fewer than qbinom(0.05, 24 - 1, 0.5)"):
    /// 2²³ = 8,388,608 and 5 % of it is 419,430.4; cumulative C(23, k) for k = 0…7 is
    /// 1 + 23 + 253 + 1771 + 8855 + 33649 + 100947 + 245157 = 390,656 (≤ 419,430.4) and adding
    /// C(23, 8) = 490,314 gives 880,970 (> 419,430.4), so the minimum is 8 crossings; the
    /// longest run limit is round(log2(24) + 3) = round(4.585 + 3) = 8.
    @Test func handWorkedCrossings() {
        #expect(RunCriticalValues.crossingsMin(useful: 10) == 2)
        #expect(RunCriticalValues.crossingsMin(useful: 24) == 8)
        #expect(RunCriticalValues.longestRunMax(useful: 24) == 8)
    }

    /// The Double-based table against exact integer arithmetic for every n up to 60:
    /// c is the smallest value with 20 × Σ_{j ≤ c} C(n − 1, j) ≥ 2^(n − 1).
    @Test func crossingsMatchExactIntegers() {
        var row: [UInt64] = [1]  // Pascal's triangle row for n − 1 trials
        for n in 2...60 {
            row = zip(row + [0], [0] + row).map(+)  // row now holds C(n − 1, k)
            let total = UInt64(1) << UInt64(n - 1)
            var cumulative: UInt64 = 0
            var expected = 0
            for (k, coefficient) in row.enumerated() {
                cumulative += coefficient
                if 20 * cumulative >= total {
                    expected = k
                    break
                }
            }
            #expect(RunCriticalValues.crossingsMin(useful: n) == expected, "n = \(n)")
        }
    }

    /// IHI runs table rows worked by hand from the runs distribution with an even split.
    /// n = 10 (5 above, 5 below): C(10, 5) = 252 arrangements. Counts of R runs:
    /// R = 2: 2; R = 3: 2·C(4,1)·C(4,0) = 8; R = 4: 2·C(4,1)² = 32. P(R ≤ 3) = 10/252 = 0.040
    /// ≤ 0.05 < P(R ≤ 4) = 42/252 = 0.167, so the lower limit is 3; by symmetry (R = 10: 2,
    /// R = 9: 8) P(R ≥ 9) = 0.040, so the upper limit is 9. Published row: 3 and 9.
    /// n = 20 (10 and 10): C(20, 10) = 184,756. Counts: R = 2: 2; 3: 18; 4: 162; 5: 648;
    /// 6: 2·C(9,2)² = 2592; 7: 2·C(9,3)·C(9,2) = 6048. P(R ≤ 6) = 3422/184,756 = 0.0185 and
    /// P(R ≤ 7) = 9470/184,756 = 0.0513, so the lower limit is 6, and by symmetry the upper
    /// is 16. Published row: 6 and 16.
    @Test func ihiRunsTableHandRows() {
        #expect(RunCriticalValues.runsBounds(useful: 10) == .init(lower: 3, upper: 9))
        #expect(RunCriticalValues.runsBounds(useful: 20) == .init(lower: 6, upper: 16))
    }

    /// The log-space Double computation against exact integer counts of the Wald–Wolfowitz
    /// distribution for every n from 2 to 60 (the range of the published IHI table).
    @Test func ihiRunsTableMatchesExactIntegers() {
        var pascal: [[UInt64]] = [[1]]
        for n in 1...60 {
            let previous = pascal[n - 1]
            pascal.append(zip(previous + [0], [0] + previous).map(+))
        }
        func choose(_ n: Int, _ k: Int) -> UInt64 { k < 0 || k > n ? 0 : pascal[n][k] }

        for n in 2...60 {
            let above = n / 2, below = n - n / 2
            let total = choose(n, above)
            func count(_ r: Int) -> UInt64 {
                let k = r / 2
                return r % 2 == 0
                    ? 2 * choose(above - 1, k - 1) * choose(below - 1, k - 1)
                    : choose(above - 1, k) * choose(below - 1, k - 1) + choose(above - 1, k - 1) * choose(below - 1, k)
            }
            var lower = 1, cumulative: UInt64 = 0
            for r in 2...n {
                cumulative += count(r)
                if 20 * cumulative > total { break }
                lower = r
            }
            var upper = n + 1
            cumulative = 0
            for r in stride(from: n, through: 2, by: -1) {
                cumulative += count(r)
                if 20 * cumulative > total { break }
                upper = r
            }
            #expect(RunCriticalValues.runsBounds(useful: n) == .init(lower: lower, upper: upper), "n = \(n)")
        }
    }

    /// Past the exact tables the normal approximations take over without a jump.
    @Test func normalApproximationJoinsTheExactTable() {
        let limit = RunCriticalValues.exactLimit
        let exactCrossings = RunCriticalValues.crossingsMin(useful: limit)
        let approximateCrossings = RunCriticalValues.crossingsMin(useful: limit + 1)
        #expect((0...1).contains(approximateCrossings - exactCrossings))

        let exactRuns = RunCriticalValues.runsBounds(useful: limit)
        let approximateRuns = RunCriticalValues.runsBounds(useful: limit + 1)
        #expect((0...1).contains(approximateRuns.lower - exactRuns.lower))
        #expect((0...1).contains(approximateRuns.upper - exactRuns.upper))
    }
}
