import Testing

@testable import ImprovementCore

/// The compact `versions` column: whatever mix of versions a record's fields hold, reading back
/// what was written gives the same versions, and the text is canonical (keys sorted, `"*"` first).
@Suite("Versions column")
struct VersionsCodingTests {
    @Test func randomVersionMapsSurviveTheRoundTripInCanonicalForm() throws {
        var random = SystemRandomNumberGenerator()
        let type = EntityType.observation
        let stamps = (0..<4).map { HLC(millis: 1_780_000_000_000 + Int64($0) * 1000, counter: $0, replica: "ward-a") }
        for _ in 0..<2000 {
            var versions: [String: HLC] = [:]
            let all = Bool.random(using: &random)
            for spec in type.fields where all || Bool.random(using: &random) {
                versions[spec.name] = stamps.randomElement(using: &random)!
            }
            if Bool.random(using: &random) { versions[EntityType.deletedField] = stamps.randomElement(using: &random)! }
            let text = VersionsCoding.encode(versions, type: type)
            #expect(VersionsCoding.decode(text, type: type) == versions, "\(versions) as \(text)")
            // Stamps hold no ',' or ':', so the keys in written order are the text before each ':'.
            let written = text.dropFirst().dropLast().split(separator: ",").map { $0.split(separator: ":")[0] }
            #expect(written == written.sorted(), "keys in sorted order: \(text)")
            #expect(Set(written).count == written.count, "\(text)")
        }
    }
}
