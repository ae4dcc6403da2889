import ImprovementCore
import Testing

@Suite("Day")
struct DayTests {
    @Test func parsesAndPrintsISODates() {
        #expect(Day("2026-02-28")?.description == "2026-02-28")
        #expect(Day("2024-02-29") != nil)
        #expect(Day("2026-02-29") == nil)
        #expect(Day("2026-13-01") == nil)
        #expect(Day("26-1-1") == nil)
        #expect(Day("2026-01-0x") == nil)
    }

    @Test func weeksStartOnMondayAndMonthsOnTheFirst() {
        let thursday = Day("2026-06-04")!
        #expect(thursday.isoWeekday == 4)
        #expect(thursday.startOfWeek.description == "2026-06-01")
        #expect(Day("2026-06-07")!.startOfWeek.description == "2026-06-01")  // Sunday belongs to the week before
        #expect(Day("2026-06-08")!.startOfWeek.description == "2026-06-08")
        #expect(Day("2026-06-30")!.startOfMonth.description == "2026-06-01")
        #expect(Day("2026-01-15")!.addingMonths(-1).description == "2025-12-01")
    }

    @Test func dayOfAMomentUsesTheLocalOffset() {
        // 2026-06-01T23:30Z is already 2 June in a zone two hours ahead.
        let late = TestDates.noon2026June1 + 11 * 3_600_000 + 30 * 60_000
        #expect(Day(millisecondsSince1970: late).description == "2026-06-01")
        #expect(Day(millisecondsSince1970: late, utcOffsetSeconds: 7200).description == "2026-06-02")
    }
}

@Suite("Hybrid logical clock")
struct HLCTests {
    @Test func textOrderIsClockOrder() {
        var random = SeededRandom(seed: 7)
        let replicas = ["a", "b", "zz", "0f3c"]
        let stamps = (0..<500).map { _ in
            HLC(
                millis: Int64.random(in: 0...4_000_000_000_000, using: &random),
                counter: Int.random(in: 0...HLC.maxCounter, using: &random),
                replica: replicas.randomElement(using: &random)!)
        }
        for _ in 0..<2000 {
            let a = stamps.randomElement(using: &random)!
            let b = stamps.randomElement(using: &random)!
            #expect((a < b) == (a.description < b.description))
            #expect(HLC(a.description) == a)
        }
    }

    @Test func rejectsMalformedStamps() {
        #expect(HLC("") == nil)
        #expect(HLC("0001780315200000-00000-") == nil)
        #expect(HLC("0001780315200000-0000x-abc") == nil)
        #expect(HLC("0001780315200000-00000-ABC") == nil)  // replica ids are lower case
    }

    @Test func ticksStayMonotonicWhenThePhysicalClockGoesBack() {
        let clock = ManualClock()
        var generator = HLCGenerator(replica: "a", last: nil, physical: clock.physical)
        let first = generator.tick()
        clock.advance(by: -60_000)  // the device clock is corrected backwards by a minute
        let second = generator.tick()
        let third = generator.tick()
        #expect(first < second && second < third)
        #expect(second.millis == first.millis && second.counter == first.counter + 1)
        clock.advance(by: 120_000)
        let fourth = generator.tick()
        #expect(fourth.millis == clock.millis && fourth.counter == 0)
    }

    @Test func receivingALaterStampMovesTheClockPastIt() {
        let clock = ManualClock()
        var generator = HLCGenerator(replica: "a", last: nil, physical: clock.physical)
        _ = generator.tick()
        let remote = HLC(millis: clock.millis + 5_000, counter: 7, replica: "b")
        generator.receive(remote)
        let next = generator.tick()
        #expect(remote < next)
        #expect(next.millis == remote.millis && next.counter == 9)
    }

    @Test func counterOverflowBorrowsAMillisecondInsteadOfBreakingOrder() {
        let clock = ManualClock()
        var generator = HLCGenerator(
            replica: "a", last: HLC(millis: clock.millis, counter: HLC.maxCounter, replica: "a"),
            physical: clock.physical)
        let next = generator.tick()
        #expect(next.millis == clock.millis + 1 && next.counter == 0)
    }
}
