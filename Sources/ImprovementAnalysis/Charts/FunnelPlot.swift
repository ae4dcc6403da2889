import ImprovementModel

/// A funnel plot (Spiegelhalter 2005): each unit's proportion or rate over a period against its
/// denominator, with 95% and 99.8% limits around the pooled value, so that small units are not
/// named as outliers for noise and large ones are not hidden in an average.
///
/// Proportions use the binomial normal approximation, p₀ ± z·√(p₀(1 − p₀)/n), bounded by 0 and 1;
/// rates the Poisson one, p₀ ± z·√(p₀/n), bounded by 0; p₀ = Σ numerators ÷ Σ denominators.
/// With `overdispersion`, Spiegelhalter's multiplicative factor φ widens the limits to
/// p₀ ± z·√(φ·V(p₀)/n) when the units vary more than chance allows: φ is the mean of the squared
/// z-scores after winsorising them at their 10th and 90th percentiles (φ below 1 is taken as 1,
/// so the limits never narrow).
public struct FunnelPlot: Sendable, Hashable, Codable {
    /// One unit (or site) being compared.
    public struct Entry: Sendable, Hashable, Codable {
        /// The unit's or site's id.
        public let id: String
        /// The name people know it by.
        public let name: String
        /// The site it belongs to (its own id when sites are compared).
        public let site: String
        /// Events (or cases meeting the numerator definition) over the period.
        public let numerator: Double
        /// The denominator over the period.
        public let denominator: Double
        /// numerator ÷ denominator (raw: a fraction, or a rate per one unit of denominator).
        public let value: Double
        /// (value − pooled) ÷ the standard error at this denominator (with φ when overdispersed).
        public let z: Double
        /// The 95% limits at this unit's denominator.
        public let lower95: Double
        /// See `lower95`.
        public let upper95: Double
        /// The 99.8% limits at this unit's denominator.
        public let lower998: Double
        /// See `lower998`.
        public let upper998: Double
        /// `within`, `outside-95` (beyond the 95% but inside the 99.8% limits) or `outside-99.8`.
        public let position: Position
        /// Above or below the pooled value, for points outside the 95% limits; nil inside.
        public let side: SignalSide?
        /// Improvement or concern, by the measure's direction, for points outside the 95% limits.
        public let direction: SignalDirection?
    }

    /// One unit's (or site's) totals over the period, as the caller adds them up.
    public struct Total: Sendable, Hashable {
        /// The unit's (or site's) id.
        public var id: String
        /// What the text and the plot call it.
        public var name: String
        /// The site it belongs to (its own id for a site).
        public var site: String
        /// Σ numerators over the period.
        public var numerator: Double
        /// Σ denominators over the period: the x position on the funnel.
        public var denominator: Double

        /// Totals as the caller added them up.
        public init(id: String, name: String, site: String, numerator: Double, denominator: Double) {
            self.id = id
            self.name = name
            self.site = site
            self.numerator = numerator
            self.denominator = denominator
        }
    }

    /// Where a unit lies against the limits.
    public enum Position: String, Sendable, Hashable, Codable {
        case within
        case outside95 = "outside-95"
        case outside998 = "outside-99.8"
    }

    /// Whether the values are proportions (binomial limits) or rates (Poisson limits).
    public enum Statistic: String, Sendable, Hashable, Codable { case proportion, rate }

    /// z for two-sided 95% limits.
    public static let z95 = 1.959_963_985
    /// z for two-sided 99.8% limits.
    public static let z998 = 3.090_232_306

    /// Proportions or rates: which limits were drawn.
    public let statistic: Statistic
    /// Σ numerators ÷ Σ denominators over every entry.
    public let pooled: Double
    /// The multiplicative overdispersion factor applied (1 when none was asked for or found).
    public let phi: Double
    /// φ as estimated from the winsorised z-scores, when overdispersion was asked for.
    public let estimatedPhi: Double?
    /// The entries, largest denominator first.
    public let entries: [Entry]

    /// Compares the entries' totals. Entries with a zero denominator are left out; without any
    /// numerator or denominator the plot has no entries and a pooled value of 0.
    public init(
        statistic: Statistic, units: [Total],
        better: Measure.Direction?, overdispersion: Bool = false
    ) {
        let kept = units.filter { $0.denominator > 0 }
        let totalNumerator = kept.reduce(0) { $0 + $1.numerator }
        let totalDenominator = kept.reduce(0) { $0 + $1.denominator }
        let pooled = totalDenominator > 0 ? totalNumerator / totalDenominator : 0
        let variance = statistic == .proportion ? pooled * (1 - pooled) : pooled
        func rawZ(_ numerator: Double, _ denominator: Double) -> Double {
            variance > 0 ? (numerator / denominator - pooled) / (variance / denominator).squareRoot() : 0
        }
        var estimated: Double?
        if overdispersion, kept.count >= 2, variance > 0 {
            estimated = Self.winsorisedPhi(kept.map { rawZ($0.numerator, $0.denominator) })
        }
        let phi = max(1, estimated ?? 1)
        self.statistic = statistic
        self.pooled = pooled
        self.phi = phi
        self.estimatedPhi = estimated
        self.entries = kept.map { unit in
            let value = unit.numerator / unit.denominator
            let (lower95, upper95) = Self.limits(
                statistic, pooled: pooled, denominator: unit.denominator, z: Self.z95, phi: phi)
            let (lower998, upper998) = Self.limits(
                statistic, pooled: pooled, denominator: unit.denominator, z: Self.z998, phi: phi)
            let position: Position =
                value > upper998 || value < lower998
                ? .outside998 : value > upper95 || value < lower95 ? .outside95 : .within
            let side: SignalSide? = position == .within ? nil : value > pooled ? .higher : .lower
            return Entry(
                id: unit.id, name: unit.name, site: unit.site, numerator: unit.numerator, denominator: unit.denominator,
                value: value, z: rawZ(unit.numerator, unit.denominator) / phi.squareRoot(), lower95: lower95,
                upper95: upper95, lower998: lower998, upper998: upper998, position: position, side: side,
                direction: side?.direction(better: better))
        }
        .sorted { ($1.denominator, $0.name) < ($0.denominator, $1.name) }
    }

    /// The limits at denominator `n`: what a plot draws as the funnel's curves.
    public func limits(at denominator: Double, z: Double) -> (lower: Double, upper: Double) {
        Self.limits(statistic, pooled: pooled, denominator: denominator, z: z, phi: phi)
    }

    static func limits(
        _ statistic: Statistic, pooled: Double, denominator: Double, z: Double, phi: Double
    )
        -> (lower: Double, upper: Double)
    {
        let variance = statistic == .proportion ? pooled * (1 - pooled) : pooled
        let spread = z * (phi * variance / denominator).squareRoot()
        return (max(0, pooled - spread), statistic == .proportion ? min(1, pooled + spread) : pooled + spread)
    }

    /// Spiegelhalter (2005): φ = (1/I) Σ zᵢ², the z-scores winsorised at their 10th and 90th
    /// percentiles (linear interpolation between order statistics, as R's default quantile).
    static func winsorisedPhi(_ zScores: [Double]) -> Double {
        let sorted = zScores.sorted()
        func quantile(_ probability: Double) -> Double {
            let position = probability * Double(sorted.count - 1)
            let below = Int(position)
            let above = min(below + 1, sorted.count - 1)
            return sorted[below] + (position - Double(below)) * (sorted[above] - sorted[below])
        }
        let low = quantile(0.1)
        let high = quantile(0.9)
        let squares = zScores.map { min(max($0, low), high) }.map { $0 * $0 }
        return squares.reduce(0, +) / Double(squares.count)
    }
}
