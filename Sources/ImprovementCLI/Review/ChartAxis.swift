import Foundation
import ImprovementCore

/// Tick positions for chart axes: round numbers on the value axis, month (or week) starts on
/// the time axis, so gridlines fall where people expect them.
enum ChartAxis {
    /// About `count` round values (steps of 1, 2 or 5 times a power of ten) covering low...high,
    /// in the units people read (already multiplied).
    static func valueTicks(low: Double, high: Double, count: Int = 5) -> [Double] {
        guard high > low, low.isFinite, high.isFinite else { return [low] }
        let rough = (high - low) / Double(max(1, count))
        let power = pow10(floor(log10(rough)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        var ticks: [Double] = []
        var tick = (low / step).rounded(.up) * step
        while tick <= high + step * 1e-9 {
            ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return ticks
    }

    /// A range widened to round values, so the top and bottom gridlines frame the data.
    static func niceRange(low: Double, high: Double, count: Int = 5) -> (low: Double, high: Double) {
        var low = low
        var high = high
        if high == low {
            low -= low == 0 ? 1 : abs(low) * 0.1
            high += high == 0 ? 1 : abs(high) * 0.1
        }
        let ticks = valueTicks(low: low, high: high, count: count)
        guard ticks.count >= 2 else { return (low, high) }
        let step = ticks[1] - ticks[0]
        return ((low / step).rounded(.down) * step, (high / step).rounded(.up) * step)
    }

    /// Days at which the time axis gets a labelled tick: month starts (every 1, 2, 3, 6 or 12
    /// months) for long spans, week starts for spans under about two months.
    static func timeTicks(from first: Day, to last: Day, maxLabels: Int) -> [(day: Day, label: String)] {
        let span = last.dayNumber - first.dayNumber
        if span < 63 {
            let stepDays = [1, 7, 14].first { span / $0 < maxLabels } ?? 28
            var day = stepDays == 1 ? first : first.startOfWeek
            if day < first { day = day.adding(days: 7) }
            var ticks: [(day: Day, label: String)] = []
            while day <= last {
                ticks.append((day, DayText.short(day)))
                day = day.adding(days: stepDays)
            }
            return ticks
        }
        let months = span / 30 + 1
        let step = [1, 2, 3, 6, 12].first { months / $0 < maxLabels } ?? 24
        var month = first.startOfMonth
        if month < first { month = month.addingMonths(1) }
        var ticks: [(day: Day, label: String)] = []
        var previousYear: Int?
        while month <= last {
            let (year, number, _) = month.components
            if (number - 1) % step == 0 || step == 1 {
                let name = DayText.months[number - 1]
                ticks.append((month, previousYear == year ? name : "\(name) \(year)"))
                previousYear = year
            }
            month = month.addingMonths(1)
        }
        return ticks
    }

    /// The start of the period after `day` for a measure collected at `frequency`.
    static func next(_ day: Day, frequency: Measure.Frequency) -> Day {
        switch frequency {
        case .day: day.adding(days: 1)
        case .week: day.adding(days: 7)
        case .month: day.addingMonths(1)
        }
    }

    private static func pow10(_ exponent: Double) -> Double {
        var result = 1.0
        let whole = Int(exponent)
        if whole >= 0 { for _ in 0..<whole { result *= 10 } } else { for _ in 0..<(-whole) { result /= 10 } }
        return result
    }
}
