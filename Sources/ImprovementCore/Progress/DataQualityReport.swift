/// Whether the data can be believed: gaps, values lost in conflicts, unexplained outliers, and
/// edits made after the fact.
public struct DataQualityReport: Codable, Sendable, Equatable {
    /// Periods with no data point between a series' first period and the current one.
    public struct MissingPeriods: Codable, Sendable, Equatable {
        /// The series' measure.
        public var measure: String
        /// The series' site.
        public var site: String
        /// The series' unit.
        public var unit: String
        /// How many periods have no data point.
        public var count: Int
        /// The most recent missing periods (at most 12).
        public var recent: [String]
    }

    /// A value that was overwritten by a concurrent edit (a conflict record).
    public struct Overwritten: Codable, Sendable, Equatable {
        /// The conflict's id.
        public var conflict: String
        /// The data point's record id.
        public var observation: String
        /// The field the two writes disagreed on.
        public var field: String
        /// The value that won the merge.
        public var kept: FieldValue
        /// Who wrote the value kept.
        public var keptBy: String
        /// The value that lost the merge.
        public var lost: FieldValue
        /// Who wrote the value that lost.
        public var lostBy: String
        /// True once a coordinator has decided.
        public var resolved: Bool
    }

    /// A point beyond the control limits (as the chart computes them) with no note and no
    /// exclusion saying why.
    public struct UnexplainedPoint: Codable, Sendable, Equatable {
        /// The point's measure.
        public var measure: String
        /// The point's site.
        public var site: String
        /// nil for a site's pooled series.
        public var unit: String?
        /// The point's period (`YYYY-MM-DD`).
        public var period: String
        /// The value plotted (raw); nil when the point has none.
        public var value: Double?
        /// The point is among those the limits are computed from, so it distorts them.
        public var inBaseline: Bool
    }

    /// A point taken out of the limits as a known special cause, with the reason given.
    public struct ExcludedPoint: Codable, Sendable, Equatable {
        /// The point's measure.
        public var measure: String
        /// The point's site.
        public var site: String
        /// The point's unit; nil for a site's pooled series.
        public var unit: String?
        /// The point's period (`YYYY-MM-DD`).
        public var period: String
        /// The annotation's text: why the point is a known special cause.
        public var reason: String
        /// The annotation that excludes it (its history says who and when).
        public var annotation: String
    }

    /// An observation changed after it was first recorded: who changed it and when.
    public struct Edit: Codable, Sendable, Equatable {
        /// The data point's record id.
        public var observation: String
        /// Who first recorded it.
        public var recordedBy: String
        /// When, as UTC time (`YYYY-MM-DDThh:mm:ssZ`) from the change's stamp.
        public var recordedAt: String
        /// The later changes, oldest first.
        public var edits: [Change]

        /// One later change of the data point.
        public struct Change: Codable, Sendable, Equatable {
            /// Who made it.
            public var author: String
            /// When, as UTC time (`YYYY-MM-DDThh:mm:ssZ`).
            public var at: String
            /// The fields it wrote, in name order.
            public var fields: [String]
        }
    }

    /// Series with gaps.
    public var missing: [MissingPeriods]
    /// Values lost in conflicts, settled or not.
    public var overwritten: [Overwritten]
    /// Baseline points first, then the others.
    public var unexplainedOutliers: [UnexplainedPoint]
    /// Points left out of the limits, with the reason given.
    public var excludedPoints: [ExcludedPoint]
    /// Data points changed after they were first recorded.
    public var editedAfterTheFact: [Edit]
}
