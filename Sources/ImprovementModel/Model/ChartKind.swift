/// The kind of chart to analyse. The raw values are the short names used in stored
/// settings and in the JSON result (`"kind": "p"`).
public enum ChartKind: String, Codable, Sendable, CaseIterable {
    /// Run chart: the median is the centre line and there are no control limits.
    case run
    /// Individuals (XmR) chart for one measurement per period.
    case i
    /// Moving-range chart: the absolute differences between consecutive measurements.
    case mr
    /// P chart: proportions (numerator out of denominator) with binomial limits.
    case p
    /// Laney P′ chart: a P chart whose limits also allow for variation between periods,
    /// for the very large denominators where plain P limits become too narrow.
    case pp
    /// U chart: rates (events per unit of denominator) with Poisson limits.
    case u
    /// Laney U′ chart: the U chart counterpart of the P′ chart.
    case up
    /// C chart: counts of events where the area of opportunity stays about the same.
    case c
    /// G chart: the number of cases (opportunities) between rare events.
    case g
    /// T chart: the time (days) between rare events, as qicharts2's `chart = "t"`: an I chart
    /// on the times raised to the power 1/3.6, its lines transformed back.
    case t
}

extension ChartKind {
    /// The kinds a measure can be charted as: every kind but `mr`, which is drawn from an I measure.
    public static let measureKinds: [ChartKind] = allCases.filter { $0 != .mr }

    /// Whether the kind plots numerator ÷ denominator and needs both for every point.
    public var needsNumeratorAndDenominator: Bool {
        switch self {
        case .p, .pp, .u, .up: true
        case .run, .i, .mr, .c, .g, .t: false
        }
    }

    /// Whether the plotted statistic is a proportion, which bounds limits to 0...1.
    public var isProportion: Bool { self == .p || self == .pp }

    /// Counts of events or cases: whole numbers only.
    public var isCount: Bool { self == .c || self == .g }

    /// Charts of plain measurements, where a value below zero can be real (a change, a difference).
    public var mayBeNegative: Bool { self == .run || self == .i }

    /// Times or cases between rare events: each point is one event, so points cannot be merged
    /// into longer periods.
    public var isBetweenEvents: Bool { self == .g || self == .t }

    /// Whether the chart has control limits at all.
    package var hasLimits: Bool { self != .run }

    /// Run and G charts are centred on a median, the others on a mean; messages name
    /// the line the reader actually sees.
    package var centreLineName: String {
        switch self {
        case .run, .g: "median"
        case .i, .mr, .p, .pp, .u, .up, .c, .t: "centre line"
        }
    }

    /// The chart's name with its article, for messages ("a p chart", "an I chart").
    package var phrase: String {
        switch self {
        case .run: "a run chart"
        case .i: "an I chart"
        case .mr: "an MR chart"
        case .p: "a p chart"
        case .pp: "a p′ (Laney) chart"
        case .u: "a u chart"
        case .up: "a u′ (Laney) chart"
        case .c: "a c chart"
        case .g: "a g chart"
        case .t: "a t chart"
        }
    }
}
