import Foundation
import ImprovementModel

/// Critical values for the run rules, computed once from the exact distributions.
///
/// Both tables are computed lazily on first use (Swift initialises `static let` once and
/// thread-safely) for n ≤ ``exactLimit``; beyond that the normal approximations with
/// continuity correction are used, which agree with the exact values at the boundary.
enum RunCriticalValues {
    /// Largest number of useful points covered by the exact tables.
    static let exactLimit = 1000

    /// The upper 95 % prediction limit for the longest run, round(log2(n) + 3)
    /// (Anhøj & Olesen 2014 after Schilling 2012); 0 when there are no useful points.
    static func longestRunMax(useful n: Int) -> Int {
        guard n > 0 else { return 0 }
        // log2(n) is never exactly x.5 for whole n, so the rounding mode does not matter.
        return Int(log2(Double(n)).rounded()) + 3
    }

    /// The lower 5 % prediction limit for crossings: the 5th percentile of
    /// Binomial(n − 1, 0.5), i.e. R's `qbinom(0.05, n - 1, 0.5)` as used by qicharts2.
    /// Fewer crossings than this is a signal.
    static func crossingsMin(useful n: Int) -> Int {
        guard n > 1 else { return 0 }
        if n <= exactLimit { return crossingsTable[n] }
        let trials = Double(n - 1)
        // P(X ≤ c) ≈ Φ((c + 0.5 − m/2) / (√m / 2)) ≥ 0.05.
        return Int((trials / 2 - 0.5 - z95 * trials.squareRoot() / 2).rounded(.up))
    }

    /// The IHI limits for the number of runs with n useful points: fewer than `lower` or
    /// more than `upper` runs is a signal (Perla, Provost & Murray 2011, after Swed &
    /// Eisenhart 1943).
    static func runsBounds(useful n: Int) -> RunsBounds {
        guard n > 1 else { return RunsBounds(lower: 1, upper: n + 1) }
        if n <= exactLimit { return runsTable[n] }
        let (above, below) = evenSplit(n)
        let product = 2 * Double(above) * Double(below)
        let total = Double(n)
        let mean = product / total + 1
        let sd = (product * (product - total) / (total * total * (total - 1))).squareRoot()
        return RunsBounds(
            lower: Int((mean - 0.5 - z95 * sd).rounded(.down)),
            upper: Int((mean + 0.5 + z95 * sd).rounded(.up))
        )
    }

    /// The one-sided 95 % point of the standard normal distribution.
    private static let z95 = 1.6448536269514722

    private static let crossingsTable: [Int] = (0...exactLimit).map(exactCrossingsMin)

    private static let runsTable: [RunsBounds] = {
        // log(k!) for k ≤ exactLimit, so binomial coefficients up to C(1000, 500) ≈ 1e299
        // stay representable as logarithms.
        var logFactorials = [Double](repeating: 0, count: exactLimit + 1)
        for k in stride(from: 2, through: exactLimit, by: 1) {
            logFactorials[k] = logFactorials[k - 1] + log(Double(k))
        }
        return (0...exactLimit).map { exactRunsBounds(useful: $0, logFactorials: logFactorials) }
    }()

    /// Smallest c with P(X ≤ c) ≥ 0.05 for X ~ Binomial(n − 1, 0.5), summing the exact
    /// probabilities. It equals the largest c with P(X < c) ≤ 0.05, because P(X ≤ c) is a
    /// multiple of 2^−(n−1) and can never be exactly 1/20. Checked against exact rational
    /// arithmetic for every n ≤ 1000 while writing this; the tests check n ≤ 60 with integers.
    private static func exactCrossingsMin(_ n: Int) -> Int {
        let trials = n - 1
        guard trials > 0 else { return 0 }
        // 2^−trials is exact and, for trials ≤ 999, far above the smallest normal Double.
        var probability = Double(sign: .plus, exponent: -trials, significand: 1)
        var cumulative = 0.0
        for c in 0...trials {
            cumulative += probability
            if cumulative >= 0.05 { return c }
            probability = probability * Double(trials - c) / Double(c + 1)
        }
        return trials
    }

    /// IHI runs limits from the exact distribution of the number of runs R given `above`
    /// and `below` points on each side (Wald & Wolfowitz 1940; tabulated by Swed &
    /// Eisenhart 1943). The chart's median splits the useful points evenly, so the table,
    /// like the published one, depends on n only.
    ///
    /// `lower` is the largest r with P(R ≤ r) ≤ 0.05 and `upper` the smallest r with
    /// P(R ≥ r) ≤ 0.05. A signal needs fewer runs than `lower` or more than `upper`, which
    /// reproduces the published rows we could check by hand (n = 10: 3 and 9; n = 20: 6 and 16).
    private static func exactRunsBounds(useful n: Int, logFactorials: [Double]) -> RunsBounds {
        guard n > 1 else { return RunsBounds(lower: 1, upper: n + 1) }
        let (above, below) = evenSplit(n)
        let logTotal = logChoose(n, above, logFactorials)

        // P(R = 2k)   = 2 C(a−1, k−1) C(b−1, k−1) / C(n, a)
        // P(R = 2k+1) = [C(a−1, k) C(b−1, k−1) + C(a−1, k−1) C(b−1, k)] / C(n, a)
        func probability(runs r: Int) -> Double {
            func term(_ x: Int, _ y: Int) -> Double {
                guard x >= 0, x <= above - 1, y >= 0, y <= below - 1 else { return 0 }
                return exp(logChoose(above - 1, x, logFactorials) + logChoose(below - 1, y, logFactorials) - logTotal)
            }
            let k = r / 2
            return r % 2 == 0 ? 2 * term(k - 1, k - 1) : term(k, k - 1) + term(k - 1, k)
        }

        var lower = 1
        var cumulative = 0.0
        for r in stride(from: 2, through: n, by: 1) {
            cumulative += probability(runs: r)
            guard cumulative <= 0.05 else { break }
            lower = r
        }
        var upper = n + 1
        cumulative = 0
        for r in stride(from: n, through: 2, by: -1) {
            cumulative += probability(runs: r)
            guard cumulative <= 0.05 else { break }
            upper = r
        }
        return RunsBounds(lower: lower, upper: upper)
    }

    private static func evenSplit(_ n: Int) -> (above: Int, below: Int) {
        (n / 2, n - n / 2)
    }

    private static func logChoose(_ n: Int, _ k: Int, _ logFactorials: [Double]) -> Double {
        logFactorials[n] - logFactorials[k] - logFactorials[n - k]
    }

    /// The accepted range for the number of runs under the IHI rules.
    struct RunsBounds: Sendable, Equatable {
        /// Fewer runs than this is too few.
        let lower: Int
        /// More runs than this is too many.
        let upper: Int
    }
}
