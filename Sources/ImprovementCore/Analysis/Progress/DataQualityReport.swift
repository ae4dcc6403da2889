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

    /// A point beyond the control limits with no note saying why.
    public struct UnexplainedPoint: Codable, Sendable, Equatable {
        public var measure: String
        public var site: String
        public var unit: String
        public var period: String
        public var value: Double?
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
    public var unexplainedOutliers: [UnexplainedPoint]
    public var editedAfterTheFact: [Edit]
}
