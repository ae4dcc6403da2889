/// Whether the data can be believed: gaps, values lost in conflicts, unexplained outliers, and
/// edits made after the fact.
public struct DataQualityReport: Codable, Sendable, Equatable {
    /// Periods with no data point between a series' first period and the current one.
    public struct MissingPeriods: Codable, Sendable, Equatable {
        public var measure: String
        public var site: String
        public var unit: String
        public var count: Int
        /// The most recent missing periods (at most 12).
        public var recent: [String]
    }

    /// A value that was overwritten by a concurrent edit (a conflict record).
    public struct Overwritten: Codable, Sendable, Equatable {
        public var conflict: String
        public var observation: String
        public var field: String
        public var kept: FieldValue
        public var keptBy: String
        public var lost: FieldValue
        public var lostBy: String
        public var resolved: Bool
    }

    /// A point beyond the control limits (as the chart computes them) with no note and no
    /// exclusion saying why.
    public struct UnexplainedPoint: Codable, Sendable, Equatable {
        public var measure: String
        public var site: String
        /// nil for a site's pooled series.
        public var unit: String?
        public var period: String
        public var value: Double?
        /// The point is among those the limits are computed from, so it distorts them.
        public var inBaseline: Bool
    }

    /// A point taken out of the limits as a known special cause, with the reason given.
    public struct ExcludedPoint: Codable, Sendable, Equatable {
        public var measure: String
        public var site: String
        public var unit: String?
        public var period: String
        public var reason: String
        /// The annotation that excludes it (its history says who and when).
        public var annotation: String
    }

    /// An observation changed after it was first recorded: who changed it and when.
    public struct Edit: Codable, Sendable, Equatable {
        public var observation: String
        public var recordedBy: String
        public var recordedAt: String
        public var edits: [Change]

        public struct Change: Codable, Sendable, Equatable {
            public var author: String
            public var at: String
            public var fields: [String]
        }
    }

    public var missing: [MissingPeriods]
    public var overwritten: [Overwritten]
    /// Baseline points first, then the others.
    public var unexplainedOutliers: [UnexplainedPoint]
    public var excludedPoints: [ExcludedPoint]
    public var editedAfterTheFact: [Edit]
}
