/// The conflicts of one record, as a coordinator settles them: two versions of the record, each
/// whole, rather than one entry per internal field.
///
/// Built from the field conflicts the merge keeps (`Conflict`), which stay the unit the protocol
/// carries; the grouping is done the same way on every replica, so the id is the same everywhere.
public struct RecordConflict: Hashable, Sendable {
    /// One side's version of the record.
    public struct Version: Hashable, Sendable {
        /// Every field of the record as this side has it: its own values for the conflicting
        /// fields and its bookkeeping (who recorded them), the record's values elsewhere.
        public var values: FieldMap
        /// True when this side deleted the record.
        public var deleted: Bool
        /// Who made this side's write, on which device, when.
        public var author: String
        /// The device that made it.
        public var replica: String
        /// Its stamp: the later stamp wins.
        public var hlc: HLC

        package init(values: FieldMap, deleted: Bool, author: String, replica: String, hlc: HLC) {
            self.values = values
            self.deleted = deleted
            self.author = author
            self.replica = replica
            self.hlc = hlc
        }
    }

    /// Stable across replicas: derived from the record and its field conflicts' ids.
    public var id: String
    /// `delete` when one side deleted the record.
    public var kind: Conflict.Kind
    /// The record type (`observation`).
    public var type: String
    /// The record's id.
    public var entity: String
    /// The record's site; nil for definitions shared by every site.
    public var site: String?
    /// The field conflicts of this entry, ordered by field.
    public var conflicts: [Conflict]
    /// The version the record holds now (for a settled entry: the one that was current before).
    public var winner: Version
    /// The version that lost.
    public var loser: Version
    /// The data fields on which the two versions agree (bookkeeping and identity fields left out).
    public var agreed: [String]
    /// The coordinator's decision, once every field of the entry is settled.
    public var resolution: ConflictChoice?

    package init(
        id: String, kind: Conflict.Kind, type: String, entity: String, site: String?, conflicts: [Conflict],
        winner: Version, loser: Version, agreed: [String], resolution: ConflictChoice?
    ) {
        self.id = id
        self.kind = kind
        self.type = type
        self.entity = entity
        self.site = site
        self.conflicts = conflicts
        self.winner = winner
        self.loser = loser
        self.agreed = agreed
        self.resolution = resolution
    }

    /// True once a coordinator has settled every field conflict of the record.
    public var isResolved: Bool { resolution != nil }

    /// The fields the versions disagree on, in order.
    public var fields: [String] {
        var seen: Set<String> = []
        return conflicts.map(\.field).filter { seen.insert($0).inserted }
    }

    /// The open field conflicts, optionally of one field only.
    public func open(field: String? = nil) -> [Conflict] {
        conflicts.filter { !$0.isResolved && (field == nil || $0.field == field) }
    }

    /// FNV-1a (64 bit) of the record and the ids of its field conflicts, as `Conflict.id` is made.
    package static func id(type: String, entity: String, conflictIDs: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let text = "record\u{0}" + type + "\u{0}" + entity + "\u{0}" + conflictIDs.sorted().joined(separator: ",")
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// True when `selector` names this entry: its own id, the record's id, or one of its field conflicts' ids.
    public func isNamed(by selector: String) -> Bool {
        selector == id || selector == entity || conflicts.contains { $0.id == selector }
    }
}

/// What settling one record did.
public struct RecordResolution: Sendable {
    /// The entry as it was before the decision.
    public var record: RecordConflict
    /// The side whose version was kept.
    public var keep: ConflictChoice
    /// The fields whose conflicts were settled, in order.
    public var fields: [String]
    /// The values written back (empty when the kept version was already current).
    public var restored: FieldMap

    package init(record: RecordConflict, keep: ConflictChoice, fields: [String], restored: FieldMap) {
        self.record = record
        self.keep = keep
        self.fields = fields
        self.restored = restored
    }
}
