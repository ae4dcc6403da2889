import GRDB
import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// The migrations and the record types' declarations say the same thing: every declared field
/// has its column, every column (beyond the shared ones) is a declared field, with the kind the
/// declaration gives. A new field declared without its migration fails here, not on a device.
struct SchemaDeclarationTests {
    @Test(arguments: EntityType.all.map(\.name))
    func theTableMatchesTheDeclaration(type name: String) throws {
        let type = try #require(EntityType.named(name))
        let store = try ImprovementStore.inMemory(replica: "schema")
        let columns = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info(?)", arguments: [type.table])
                .map { (name: $0["name"] as String, type: $0["type"] as String) }
        }
        let shared = ["id", "deleted", "versions"]
        #expect(Array(columns.map(\.name).prefix(3)) == shared)
        let declared = Dictionary(uniqueKeysWithValues: type.fields.map { ($0.column, $0.kind) })
        let actual = Dictionary(
            uniqueKeysWithValues: columns.filter { !shared.contains($0.name) }.map { ($0.name, $0.type) })
        #expect(Set(actual.keys) == Set(declared.keys), "columns of \(type.table) versus the fields of \(name)")
        for (column, kind) in declared {
            let expected: String
            switch kind {
            case .text: expected = "TEXT"
            case .number: expected = "REAL"
            case .bool: expected = "INTEGER"
            }
            #expect(
                actual[column] == expected,
                "\(type.table).\(column) is \(actual[column] ?? "missing"), declared \(kind)")
        }
    }
}
