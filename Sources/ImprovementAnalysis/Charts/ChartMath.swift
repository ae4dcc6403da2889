import Foundation
import ImprovementModel

/// Small numeric helpers shared by the limit calculations.
enum ChartMath {
    /// d2 for moving ranges of two points: the mean moving range is d2 × sigma (Montgomery).
    static let d2 = 1.128
    /// D4 for moving ranges of two points: the upper limit of a moving range is D4 × mean MR.
    static let d4 = 3.267
    /// The T chart's power: times between events raised to 1/3.6 are close to normal (Nelson 1994,
    /// as Montgomery and qicharts2 use it).
    static let tPower = 3.6

    /// The arithmetic mean, or `nil` for no values.
    static func mean(_ values: some Collection<Double>) -> Double? {
        guard !values.isEmpty else { return nil }
        var sum = 0.0
        for value in values { sum += value }
        return sum / Double(values.count)
    }

    /// The median, or `nil` for no values; the mean of the middle two for an even count.
    static func median(_ values: some Collection<Double>) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The mean moving range of consecutive values after screening, or `nil` with fewer than
    /// two values.
    ///
    /// Moving ranges at or above D4 × the first mean are dropped and the mean recomputed, as
    /// qicharts2 does when the package is attached (`qic.screenedmr = TRUE`, after Nelson
    /// 1982 and Provost & Murray): a single freak jump would otherwise inflate sigma and hide
    /// itself inside wide limits. If screening would drop every range (all ranges zero), the
    /// unscreened mean is kept rather than returning nothing.
    static func screenedMeanMovingRange(_ values: some Collection<Double>) -> Double? {
        guard values.count >= 2 else { return nil }
        var sum = 0.0
        var previous: Double?
        for value in values {
            if let previous { sum += abs(value - previous) }
            previous = value
        }
        let count = Double(values.count - 1)
        let mean = sum / count
        let limit = d4 * mean

        var keptSum = 0.0
        var kept = 0
        previous = nil
        for value in values {
            if let previous {
                let range = abs(value - previous)
                if range < limit {
                    keptSum += range
                    kept += 1
                }
            }
            previous = value
        }
        return kept > 0 ? keptSum / Double(kept) : mean
    }
}

extension Double {
    /// `self` (0 or more) raised to `exponent`, for the T chart's transform.
    func power(_ exponent: Double) -> Double {
        self > 0 ? pow(self, exponent) : 0
    }
}
