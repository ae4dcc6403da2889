import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// Change ids are UUID version 7: unique, and ordered by the millisecond they were made in, so
/// change logs' id indexes grow at their end.
@Suite("Change ids")
struct ChangeIDTests {
    @Test func idsAreLowercaseVersion7UUIDs() {
        let hex = Set("0123456789abcdef")
        for _ in 0..<1000 {
            let id = Array(ChangeID.random(millis: 1_780_315_200_000))
            #expect(id.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { id[$0] == "-" })
            #expect(id.enumerated().allSatisfy { [8, 13, 18, 23].contains($0.offset) || hex.contains($0.element) })
            #expect(id[14] == "7", "version nibble")
            #expect("89ab".contains(id[19]), "RFC 9562 variant")
        }
    }

    @Test func idsCarryTheirMillisecondFirstAndSortByIt() {
        let millis: Int64 = 1_780_315_200_123  // 2026-06-01T12:00:00.123Z
        let id = ChangeID.random(millis: millis)
        let stamp = String(id.filter { $0 != "-" }.prefix(12))
        #expect(Int64(stamp, radix: 16) == millis)
        let ordered = (0..<200).map { ChangeID.random(millis: millis + Int64($0) * 7) }
        #expect(ordered == ordered.sorted())
    }

    @Test func idsMadeInTheSameMillisecondDiffer() {
        let ids = (0..<100_000).map { _ in ChangeID.random(millis: 1_780_315_200_000) }
        #expect(Set(ids).count == ids.count)
    }
}
