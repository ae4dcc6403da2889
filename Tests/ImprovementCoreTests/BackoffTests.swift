import ImprovementCore
import Testing

/// The waits between retries: exponential, capped, shortened by at most the jitter, and the same
/// for the same seed.
@Suite("Backoff")
struct BackoffTests {
    @Test(arguments: [1, 7, 42, 20_261_201] as [UInt64])
    func everyWaitIsWithinItsBounds(seed: UInt64) {
        let backoff = Backoff(base: 0.5, cap: 30, jitter: 0.25)
        var random = SeededRandom(seed: seed)
        for attempt in 0..<40 {
            let delay = backoff.delay(attempt: attempt, using: &random)
            let exponential = min(0.5 * Double(1 << min(attempt, 60)), 30)
            #expect(delay <= 30, "seed \(seed), attempt \(attempt): \(delay) is over the cap")
            #expect(delay <= exponential, "seed \(seed), attempt \(attempt): \(delay) is over base·2^n")
            #expect(delay >= exponential * 0.75, "seed \(seed), attempt \(attempt): \(delay) is under (1 − jitter)")
        }
    }

    @Test func theJitterSpreadsTheWaitsAndTheSeedReplaysThem() {
        let backoff = Backoff(base: 1, cap: 60, jitter: 0.5)
        var first = SeededRandom(seed: 99)
        var second = SeededRandom(seed: 99)
        let waits = (0..<20).map { _ in backoff.delay(attempt: 3, using: &first) }
        #expect(waits == (0..<20).map { _ in backoff.delay(attempt: 3, using: &second) })
        #expect(Set(waits).count > 10, "jittered waits differ")
        #expect(waits.allSatisfy { (4...8).contains($0) })
    }

    @Test func withoutJitterTheWaitsDoubleExactly() {
        let backoff = Backoff(base: 0.5, cap: .greatestFiniteMagnitude, jitter: 0)
        var random = SeededRandom(seed: 1)
        #expect((0..<5).map { backoff.delay(attempt: $0, using: &random) } == [0.5, 1, 2, 4, 8])
    }
}
