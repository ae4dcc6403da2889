/// How long to wait before each retry: exponential (`base`, then twice that, and so on), never
/// more than `cap`, shortened by up to `jitter` of itself at random so that many devices that
/// failed together (a server restart, a ward's Wi-Fi coming back) do not all come back at once.
public struct Backoff: Sendable, Equatable {
    /// The first wait, in seconds.
    public var base: Double
    /// The longest wait, in seconds.
    public var cap: Double
    /// The share of each wait that may be taken off at random, from 0 (none: waits are exact)
    /// to 1.
    public var jitter: Double

    /// A schedule; negative values count as 0, and `jitter` is kept within 0...1.
    public init(base: Double = 0.5, cap: Double = 60, jitter: Double = 0.2) {
        self.base = max(0, base)
        self.cap = max(0, cap)
        self.jitter = min(1, max(0, jitter))
    }

    /// The wait before retry number `attempt + 1` (`attempt` counts from 0): within
    /// [min(base·2^attempt, cap)·(1 − jitter), min(base·2^attempt, cap)].
    public func delay(attempt: Int, using random: inout some RandomNumberGenerator) -> Double {
        let exponential = base * Double(sign: .plus, exponent: min(max(0, attempt), 1000), significand: 1)
        let bounded = min(exponential, cap)
        guard jitter > 0, bounded > 0 else { return bounded }
        return bounded * (1 - jitter * Double.random(in: 0..<1, using: &random))
    }
}

/// A small, fast random number generator with a seed (SplitMix64), so a test of jittered waits
/// can be replayed exactly.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
