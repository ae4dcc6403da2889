import Foundation

/// A record that is stored on every replica, changed through the change log and merged by field.
public protocol SyncedRecord: Sendable, Equatable {
    static var entityType: EntityType { get }
    var id: String { get }
    /// Builds the value from stored fields. Stored fields were validated on entry, so this is lenient.
    init(id: String, fields: FieldMap)
    /// Every field except the id; absent optional values are `.null`.
    var fields: FieldMap { get }
    /// Checks the record on its own and against what the device holds.
    func validate(in context: some ValidationContext) throws
}

/// What validation may look up: other records on the device and today's date.
public protocol ValidationContext {
    var today: Day { get }
    /// The live (not deleted) fields of a record, or nil when there is none.
    func fields(of type: EntityType, id: String) throws -> FieldMap?
    /// How many live data points a measure has, so a definition change cannot split its series.
    func liveObservationCount(measure: String) throws -> Int
}

extension ValidationContext {
    package func requireExisting(_ type: EntityType, _ id: String, as kind: String? = nil) throws -> FieldMap {
        guard let fields = try fields(of: type, id: id) else {
            throw ValidationError.unknownReference(kind: kind ?? type.name, id: id)
        }
        return fields
    }
}

/// Small checks shared by the record types.
package enum Check {
    static let maxTextLength = 10_000

    package static func id(_ value: String, field: String) throws(ValidationError) {
        let bytes = value.utf8
        guard !bytes.isEmpty, bytes.count <= 64,
            bytes.allSatisfy({ byte in
                (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57)
                    || byte == 46 || byte == 95 || byte == 45
            })
        else { throw ValidationError.invalidID(field: field, value: value) }
    }

    static func required(_ value: String?, field: String, hint: String) throws(ValidationError) -> String {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError.missing(field: field, hint: hint)
        }
        try length(value, field: field)
        return value
    }

    static func length(_ value: String?, field: String, limit: Int = maxTextLength) throws(ValidationError) {
        if let value, value.utf8.count > limit { throw ValidationError.tooLong(field: field, limit: limit) }
    }

    static func choice<T: RawRepresentable<String> & CaseIterable>(
        _ value: String?, as type: T.Type, field: String, required: Bool = true
    ) throws(ValidationError) -> T? {
        guard let value else {
            if required {
                throw ValidationError.missing(
                    field: field, hint: "Choose one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return nil
        }
        guard let parsed = T(rawValue: value) else {
            throw ValidationError.invalidChoice(field: field, value: value, allowed: T.allCases.map(\.rawValue))
        }
        return parsed
    }

    static func date(_ value: String?, field: String) throws(ValidationError) -> Day? {
        guard let value else { return nil }
        guard let day = Day(value) else { throw ValidationError.notADate(field: field, value: value) }
        return day
    }

    static func number(_ value: Double?, field: String) throws(ValidationError) {
        guard let value else { return }
        guard value.isFinite else { throw ValidationError.notFinite(field: field) }
        guard value >= 0 else { throw ValidationError.negative(field: field, value: value) }
    }
}
