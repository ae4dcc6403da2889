import ImprovementModel

/// The family of run rules used to look for non-random patterns around the centre line.
public enum RunRules: String, Codable, Sendable, CaseIterable {
    /// Anhøj rules (Anhøj & Olesen 2014), as used by qicharts2: an unusually long run
    /// (longer than round(log2(n) + 3)) or unusually few crossings (fewer than the
    /// 5th percentile of Binomial(n − 1, 0.5)), where n counts points not on the centre line.
    case anhoej
    /// IHI run chart rules (Perla, Provost & Murray 2011): a shift of six or more points on
    /// one side, a trend of five or more points all going up or all going down, and too few
    /// or too many runs for the number of points. The fourth IHI rule, the "astronomical" data
    /// point, is a judgement any viewer makes and is not automated; on control charts the
    /// points outside the limits are reported instead.
    case ihi
}
