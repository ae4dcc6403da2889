/// Which periods of one measure for one unit are due: expected, not yet recorded, and not in
/// the future.
///
/// A series is expected from its programme's start (when the programme names one), else from
/// the first period with data (a series with no start and no data expects only the current
/// period), up to the current period by the device's calendar, or the programme's end if that
/// is earlier. Only the most recent `window` periods are looked at (12 by default: a quarter of
/// weekly data, a year of monthly data), unless `since` names where to start (it also replaces
/// the first period with data as the start); neither reaches back before the programme's start.
public enum DuePeriods {
    /// The default number of most recent periods looked at.
    public static let defaultWindow = 12

    /// The starts of the periods with no data, oldest first.
    public static func missing(
        frequency: Measure.Frequency, today: Day, programmeStart: Day?, programmeEnd: Day?, recorded: Set<Day>,
        since: Day? = nil, window: Int = defaultWindow
    ) -> [Day] {
        let current = frequency.periodStart(of: today)
        var last = current
        if let end = programmeEnd { last = min(last, frequency.periodStart(of: end)) }
        let anchor = programmeStart.map(frequency.periodStart(of:)) ?? recorded.min() ?? current
        let lower = since.map(frequency.periodStart(of:)) ?? frequency.period(current, plus: -(max(1, window) - 1))
        var period = since != nil && programmeStart == nil ? lower : max(anchor, lower)
        var missing: [Day] = []
        while period <= last {
            if !recorded.contains(period) { missing.append(period) }
            period = frequency.period(period, plus: 1)
        }
        return missing
    }
}

extension Measure.Frequency {
    /// The start of the period `count` periods after the one starting at `start` (negative: before).
    public func period(_ start: Day, plus count: Int) -> Day {
        switch self {
        case .day: start.adding(days: count)
        case .week: start.adding(days: 7 * count)
        case .month: start.addingMonths(count)
        }
    }
}

/// The due periods of one measure for one unit.
public struct DueSeries: Sendable, Equatable {
    /// The measure that is due.
    public var measure: Measure
    /// The unit that owes the data.
    public var unit: Unit
    /// Starts of the periods with no data, oldest first.
    public var periods: [Day]
}

/// Which series to look at for `ImprovementStore.due(_:)`.
public struct DueQuery: Sendable {
    /// The site whose units are looked at.
    public var site: String
    /// Only this unit (of the site).
    public var unit: String?
    /// Only this measure.
    public var measure: String?
    /// Look back to this date rather than over the last `window` periods.
    public var since: Day?
    /// How many of the most recent periods are looked at when `since` is nil.
    public var window: Int
    /// "Today" (the device's calendar when nil).
    public var today: Day?

    /// A query for `site`; the other filters narrow it.
    public init(
        site: String, unit: String? = nil, measure: String? = nil, since: Day? = nil,
        window: Int = DuePeriods.defaultWindow, today: Day? = nil
    ) {
        self.site = site
        self.unit = unit
        self.measure = measure
        self.since = since
        self.window = window
        self.today = today
    }
}
