import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

/// Funnel plot limits (Spiegelhalter 2005) against a hand computation.
struct FunnelPlotTests {
    /// Pooled 420/2100 = 0.2, so the standard error at n is √(0.2 × 0.8/n) = 0.4/√n.
    static let wards = [
        FunnelPlot.Total(id: "a", name: "Ward A", site: "north", numerator: 30, denominator: 100),
        FunnelPlot.Total(id: "b", name: "Ward B", site: "north", numerator: 100, denominator: 500),
        FunnelPlot.Total(id: "c", name: "Ward C", site: "south", numerator: 200, denominator: 1000),
        FunnelPlot.Total(id: "d", name: "Ward D", site: "south", numerator: 85, denominator: 400),
        FunnelPlot.Total(id: "e", name: "Ward E", site: "south", numerator: 5, denominator: 100),
    ]

    @Test func proportionLimitsByHand() throws {
        let plot = FunnelPlot(statistic: .proportion, units: Self.wards, better: .up)
        #expect(isClose(plot.pooled, 0.2))
        #expect(plot.phi == 1 && plot.estimatedPhi == nil)
        // Largest denominator first.
        #expect(plot.entries.map(\.id) == ["c", "b", "d", "a", "e"])
        let a = try #require(plot.entries.first { $0.id == "a" })
        // n = 100: se 0.04; 95%: 0.2 ± 1.96 × 0.04 = 0.2 ± 0.0784; 99.8%: 0.2 ± 3.09 × 0.04 = 0.2 ± 0.1236.
        #expect(isClose(a.lower95, 0.121_601_4, 1e-6) && isClose(a.upper95, 0.278_398_6, 1e-6))
        #expect(isClose(a.lower998, 0.076_390_7, 1e-6) && isClose(a.upper998, 0.323_609_3, 1e-6))
        #expect(isClose(a.z, 2.5))
        #expect(a.position == .outside95 && a.side == .higher && a.direction == .improvement)
        // 0.05 is 3.75 standard errors below: outside the 99.8% limits, a concern when higher is better.
        let e = try #require(plot.entries.first { $0.id == "e" })
        #expect(isClose(e.z, -3.75))
        #expect(e.position == .outside998 && e.side == .lower && e.direction == .concern)
        #expect(plot.entries.filter { $0.position == .within }.map(\.id) == ["c", "b", "d"])
        // The curve at any n, for drawing: n = 400 gives 0.2 ± 1.96 × 0.02.
        let curve = plot.limits(at: 400, z: FunnelPlot.z95)
        #expect(isClose(curve.upper, 0.2 + FunnelPlot.z95 * 0.02))
    }

    @Test func rateLimitsByHand() throws {
        let plot = FunnelPlot(
            statistic: .rate,
            units: [
                .init(id: "x", name: "X", site: "s", numerator: 12, denominator: 1000),
                .init(id: "y", name: "Y", site: "s", numerator: 3, denominator: 1000),
                .init(id: "z", name: "Z", site: "s", numerator: 5, denominator: 1000),
            ], better: .down)
        // Pooled 20/3000; se √(p0/1000) = 0.002582; 95% upper 0.011727, 99.8% upper 0.014646.
        #expect(isClose(plot.pooled, 20.0 / 3000))
        let x = try #require(plot.entries.first { $0.id == "x" })
        #expect(isClose(x.upper95, 20.0 / 3000 + FunnelPlot.z95 * (20.0 / 3000 / 1000).squareRoot()))
        #expect(isClose(x.upper95, 0.011_727, 1e-6) && isClose(x.upper998, 0.014_646, 1e-6))
        #expect(x.position == .outside95 && x.direction == .concern)
        // Rates have no upper bound but never go below 0.
        #expect(plot.limits(at: 1, z: FunnelPlot.z998).lower == 0)
    }

    @Test func overdispersionWidensByWinsorisedPhi() throws {
        // z-scores 2.5, 0, 0, 0.625, −3.75; the 10th and 90th percentiles (R's default quantile) are
        // −2.25 and 1.75; winsorised squares 5.0625 + 0 + 0 + 0.390625 + 3.0625 = 8.515625, ÷ 5.
        let plot = FunnelPlot(statistic: .proportion, units: Self.wards, better: .up, overdispersion: true)
        #expect(isClose(plot.estimatedPhi, 1.703_125))
        #expect(isClose(plot.phi, 1.703_125))
        let a = try #require(plot.entries.first { $0.id == "a" })
        #expect(isClose(a.upper95, 0.2 + FunnelPlot.z95 * (1.703_125 * 0.16 / 100).squareRoot()))
        #expect(a.position == .within)
        let e = try #require(plot.entries.first { $0.id == "e" })
        #expect(e.position == .outside95)
        // Units that vary less than chance keep the plain limits.
        let calm = FunnelPlot(
            statistic: .proportion,
            units: [
                .init(id: "p", name: "P", site: "s", numerator: 20, denominator: 100),
                .init(id: "q", name: "Q", site: "s", numerator: 21, denominator: 100),
                .init(id: "r", name: "R", site: "s", numerator: 19, denominator: 100),
            ], better: .up, overdispersion: true)
        #expect(calm.estimatedPhi! < 1 && calm.phi == 1)
    }

    @Test func emptyDenominatorsAreLeftOut() {
        let plot = FunnelPlot(
            statistic: .proportion, units: [.init(id: "p", name: "P", site: "s", numerator: 0, denominator: 0)],
            better: .up)
        #expect(plot.entries.isEmpty && plot.pooled == 0)
    }
}
