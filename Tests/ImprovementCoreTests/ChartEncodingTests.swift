import Foundation
import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// The JSON shape of a result: fixed keys, `null` for missing numbers.
struct ChartEncodingTests {
    /// A three-point run chart encoded with sorted keys, written out in full.
    /// Values 2, 4, 3 (the last from 3 of 1): median 3, so the third point is on it and two
    /// points are useful. For n = 2: longest run limit round(log2(2) + 3) = 4; crossings
    /// minimum is the 5th percentile of Binomial(1, ½), and P(X ≤ 0) = 0.5 ≥ 0.05 makes it 0.
    @Test func runChartJSON() throws {
        let points = [
            ChartInput(period: "2026-01-05", value: 2),
            ChartInput(period: "2026-01-12", value: 4, note: "New checklist"),
            ChartInput(period: "2026-01-19", numerator: 3, denominator: 1),
        ]
        let result = try ChartAnalysis.analyse(measure: "Falls", kind: .run, points: points)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(result), as: UTF8.self)
        let expected =
            #"{"assurance":null,"better":null,"centre":3,"expressedAs":null,"kind":"run","measure":"Falls","multiplier":1,"#
            + #""phases":[{"basis":[0,1,2],"centre":3,"end":2,"excluded":[],"from":"2026-01-05","limitsVary":false,"number":1,"#
            + #""outside":[],"runs":{"crossings":1,"crossingsMin":0,"longestRun":1,"longestRunMax":4,"signal":false,"useful":2},"#
            + #""start":0,"to":"2026-01-19"}],"points":["#
            + #"{"centre":3,"denominator":null,"excluded":false,"explained":false,"lcl":null,"numerator":null,"outside":false,"period":"2026-01-05","phase":1,"ucl":null,"value":2,"variation":"common-cause"},"#
            + #"{"centre":3,"denominator":null,"excluded":false,"explained":true,"lcl":null,"numerator":null,"outside":false,"period":"2026-01-12","phase":1,"ucl":null,"value":4,"variation":"common-cause"},"#
            + #"{"centre":3,"denominator":1,"excluded":false,"explained":false,"lcl":null,"numerator":3,"outside":false,"period":"2026-01-19","phase":1,"ucl":null,"value":3,"variation":"common-cause"}],"#
            + #""runs":{"crossings":1,"crossingsMin":0,"longestRun":1,"longestRunMax":4,"signal":false,"useful":2},"signals":[],"variation":"common-cause","#
            + #""verdict":{"baselineSpecialCauses":[],"reason":"too-few-points: only 2 useful points (at least 10 are needed for the run rules), none beyond the limits","verdict":"too-few-points"},"#
            + #""warnings":[{"message":"Only 2 useful points (1 on the median): at least 10 are needed before run rules can signal","points":[0,1],"rule":"too_few_points"}]}"#
        #expect(json == expected)
    }

    /// Every kind encodes the same keys, and decoding gives back an equal value.
    @Test(arguments: ChartKind.allCases)
    func keysAndRoundTrip(kind: ChartKind) throws {
        let points = ratioPoints([3, 5, 2, 4, 6, 3, 5, 4, 2, 5, 3, 4], Array(repeating: 10, count: 12))
            .map {
                ChartInput(period: $0.period, value: $0.numerator, numerator: $0.numerator, denominator: $0.denominator)
            }
        let result = try ChartAnalysis.analyse(measure: "m", kind: kind, points: points)
        let data = try JSONEncoder().encode(result)

        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "measure", "kind", "multiplier", "expressedAs", "better", "centre", "points", "runs", "phases",
                "signals",
                "warnings", "verdict", "variation", "assurance",
            ])
        #expect(object["kind"] as? String == kind.rawValue)
        let firstPoint = try #require((object["points"] as? [[String: Any]])?.first)
        #expect(
            Set(firstPoint.keys) == [
                "period", "value", "numerator", "denominator", "centre", "lcl", "ucl", "outside", "phase", "excluded",
                "explained", "variation",
            ])
        let runs = try #require(object["runs"] as? [String: Any])
        #expect(Set(runs.keys) == ["useful", "longestRun", "longestRunMax", "crossings", "crossingsMin", "signal"])
        if kind == .run || kind == .mr {
            #expect(firstPoint["ucl"] is NSNull)
        }

        #expect(try JSONDecoder().decode(ChartResult.self, from: data) == result)
    }
}
