/// How a field is stored in its record's table.
package enum ColumnKind: Sendable {
    case text, number, bool

    /// Whether a column of this kind can hold `value` (null fits every kind).
    package func accepts(_ value: FieldValue) -> Bool {
        switch (value, self) {
        case (.null, _), (.text, .text), (.number, .number), (.bool, .bool): true
        default: false
        }
    }
}

/// One field of a synced record type.
package struct FieldSpec: Sendable {
    package let name: String
    package let column: String
    package let kind: ColumnKind
}

/// Which site a record belongs to, for sync scope and permissions.
package enum SiteScope: Sendable {
    /// Shared definitions every site sees (programmes, drivers, measures).
    case global
    /// The record is a site: its own id is its scope.
    case ownID
    /// The record's `site` field says (units, observations, PDSA cycles...).
    case siteField
}

/// A kind of synced record: its name on the wire, its table, and its fields.
///
/// Table and column names are fixed strings, never derived from Swift types, so a rename in
/// code can never change the schema or the wire format.
public struct EntityType: Hashable, Sendable, CustomStringConvertible {
    /// The record type's name on the wire and in the change log (`observation`); never changes.
    public let name: String
    package let table: String
    package let fields: [FieldSpec]
    package let scope: SiteScope
    /// Fields that identify a record and may not change after it is created.
    package let immutable: Set<String>
    /// Fields that describe the other values (who recorded them) rather than being data: they
    /// never form a conflict of their own, and follow the version a coordinator keeps.
    public let bookkeeping: Set<String>
    /// Who may write records of this type (checked by `PermissionRules`).
    public let writers: WritePermission
    private let positions: [String: Int]

    package init(
        name: String, table: String, fields: [FieldSpec], scope: SiteScope, immutable: Set<String>,
        writers: WritePermission, bookkeeping: Set<String> = []
    ) {
        self.name = name
        self.table = table
        self.fields = fields
        self.scope = scope
        self.immutable = immutable
        self.bookkeeping = bookkeeping
        self.writers = writers
        self.positions = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1.name, $0) })
    }

    /// The wire name.
    public var description: String { name }

    /// Two types are the same when their wire names are.
    public static func == (lhs: EntityType, rhs: EntityType) -> Bool { lhs.name == rhs.name }
    /// Hashes the wire name only, as `==` compares.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// The field that marks a tombstone.
    public static let deletedField = "_deleted"

    /// The names of the fields a record of this type holds, in declaration order (bookkeeping included).
    public var fieldNames: [String] { fields.map(\.name) }

    package func spec(_ name: String) -> FieldSpec? { positions[name].map { fields[$0] } }

    /// The column kind of a field of this type; nil for fields it does not define.
    package func kind(of name: String) -> ColumnKind? { positions[name].map { fields[$0].kind } }

    /// A hospital or organisation (`Site`); its id is its own site.
    public static let site = EntityType(
        name: "site", table: "site", fields: [.text("name")], scope: .ownID, immutable: [],
        writers: .siteCoordinators("sites"))
    /// A ward or team of a site (`Unit`).
    public static let unit = EntityType(
        name: "unit", table: "unit", fields: [.text("site"), .text("name"), .text("kind")],
        scope: .siteField, immutable: ["site"], writers: .siteCoordinators("units"))
    /// An improvement programme and its aim (`Programme`), shared by every site.
    public static let programme = EntityType(
        name: "programme", table: "programme",
        fields: [.text("name"), .text("aim"), .text("start"), .text("end"), .text("status"), .text("owner")],
        scope: .global, immutable: [], writers: .coordinators("programmes"))
    /// A node of a programme's driver diagram (`DriverNode`).
    public static let driver = EntityType(
        name: "driver", table: "driver",
        fields: [.text("programme"), .text("kind"), .text("text"), .text("parent"), .text("measures")],
        scope: .global, immutable: ["programme"], writers: .coordinators("drivers"))
    /// What a programme measures and how it is charted (`Measure`).
    public static let measure = EntityType(
        name: "measure", table: "measure",
        fields: [
            .text("programme"), .text("name"), .text("type"), .text("chart"), .text("frequency"),
            .text("direction"), .number("target"), .text("numeratorDefinition", "numerator_definition"),
            .text("denominatorDefinition", "denominator_definition"), .text("inclusions"), .text("exclusions"),
            .text("dataSource", "data_source"), .text("samplingPlan", "sampling_plan"), .text("owner"),
            .number("multiplier"), .text("expressedAs", "expressed_as"), .bool("allowNegative", "allow_negative"),
        ],
        scope: .global, immutable: ["programme"], writers: .coordinators("measures"))
    /// One data point of a measure for one unit and period (`Observation`).
    public static let observation = EntityType(
        name: "observation", table: "observation",
        fields: [
            .text("measure"), .text("unit"), .text("site"), .text("period"), .number("numerator"),
            .number("denominator"), .number("value"), .text("note"), .text("recordedBy", "recorded_by"),
        ],
        scope: .siteField, immutable: ["measure", "unit", "site", "period"], writers: .members("observations"),
        bookkeeping: ["recordedBy"])
    /// A dated note on a chart (`Annotation`).
    public static let annotation = EntityType(
        name: "annotation", table: "annotation",
        fields: [
            .text("measure"), .text("site"), .text("unit"), .text("date"), .text("text"),
            .bool("startsPhase", "starts_phase"), .bool("excludesPoint", "excludes_point"),
        ],
        scope: .siteField, immutable: ["site"], writers: .members("annotations"))
    /// A Plan-Do-Study-Act cycle (`PDSACycle`).
    public static let pdsa = EntityType(
        name: "pdsa", table: "pdsa",
        fields: [
            .text("changeIdea", "change_idea"), .text("site"), .text("unit"), .text("title"), .text("plan"),
            .text("prediction"), .text("do", "do_notes"), .text("study"), .text("act"), .text("start"),
            .text("end"), .text("owner"), .text("previous"),
        ],
        scope: .siteField, immutable: ["site"], writers: .members("PDSA cycles"))
    /// A patient story or staff feedback (`Story`).
    public static let story = EntityType(
        name: "story", table: "story",
        fields: [
            .text("kind"), .text("site"), .text("unit"), .text("measure"), .text("date"), .text("title"),
            .text("text"),
        ],
        scope: .siteField, immutable: ["site"], writers: .members("stories"))
    /// A coordinator's decision on a conflict; its id is the conflict's id.
    public static let resolution = EntityType(
        name: "resolution", table: "resolution",
        fields: [
            .text("site"), .text("keep"), .text("kind"), .text("recordType", "record_type"), .text("entity"),
            .text("field"), .text("loserValue", "loser_value"), .text("loserAuthor", "loser_author"),
            .text("loserHLC", "loser_hlc"), .text("winnerValue", "winner_value"),
            .text("winnerAuthor", "winner_author"), .text("winnerHLC", "winner_hlc"),
        ],
        scope: .siteField, immutable: ["site"],
        writers: .coordinators("conflict resolutions"))

    /// Every record type this version knows, in dependency order.
    public static let all: [EntityType] = [
        .site, .unit, .programme, .driver, .measure, .observation, .annotation, .pdsa, .story, .resolution,
    ]

    /// Looked up for every change merged or checked: a hash lookup, not a scan that copies each type.
    public static func named(_ name: String) -> EntityType? { byName[name] }

    private static let byName: [String: EntityType] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The site a record with these fields belongs to, or nil for a global definition.
    package func site(id: String, fields: FieldMap) -> String? {
        switch scope {
        case .global: return nil
        case .ownID: return id
        case .siteField: return fields["site"]?.text
        }
    }
}

extension FieldSpec {
    static func text(_ name: String, _ column: String? = nil) -> FieldSpec {
        FieldSpec(name: name, column: column ?? name, kind: .text)
    }
    static func number(_ name: String, _ column: String? = nil) -> FieldSpec {
        FieldSpec(name: name, column: column ?? name, kind: .number)
    }
    static func bool(_ name: String, _ column: String? = nil) -> FieldSpec {
        FieldSpec(name: name, column: column ?? name, kind: .bool)
    }
}
