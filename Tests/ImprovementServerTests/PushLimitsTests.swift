import Foundation
import Hummingbird
import HummingbirdTesting
import ImprovementCore
import ImprovementHTTPTransport
import Testing

/// The device keeps within the server's limits (Protocol/README.md §11, §12.2): a batch refused
/// as too large is split and sent again, down to one change; one change the server will not take
/// even alone is held with the limit named, and everything else still arrives.
@Suite("Push within the server's limits")
struct PushLimitsTests {
    @Test func manyLongChangesPassSmallBatchAndBodyLimits() async throws {
        let harness = try await ServerHarness(maxBodyBytes: 4096, maxBatchSize: 10)
        let device = try Self.device("ward-a")
        try Self.addStories(300, textBytes: 1500, to: device)
        try await harness.application().test(.live) { client in
            let url = URL(string: "http://127.0.0.1:\(try #require(client.port))")!
            let sync = SyncClient(
                server: url, token: harness.tokens["admin"]!, store: device, transport: HTTPClientTransport())
            let progress = try await sync.push()
            #expect(progress.pushed == 301, "the site and 300 stories")
            #expect(progress.held == 0)
            #expect(try device.pendingCount() == 0)
            let limits = sync.workingPushLimits
            #expect(limits.bytes <= 4096, "the body limit the server named is kept for the rest of the sync")

            let other = try Self.device("ward-b")
            let pulled = try await SyncClient(
                server: url, token: harness.tokens["admin"]!, store: other, transport: HTTPClientTransport()
            ).pull()
            #expect(pulled.pulled == 301)
            #expect(try other.records(Story.self, limit: 1000).count == 300)
        }
    }

    @Test func aBatchOverTheCountLimitIsCutToTheLimitTheServerNames() async throws {
        let harness = try await ServerHarness(maxBatchSize: 10)
        let device = try Self.device("ward-a")
        try Self.addStories(95, textBytes: 20, to: device)
        try await harness.application().test(.live) { client in
            let url = URL(string: "http://127.0.0.1:\(try #require(client.port))")!
            let sync = SyncClient(
                server: url, token: harness.tokens["admin"]!, store: device, transport: HTTPClientTransport(),
                pushBatchSize: 2000)
            let progress = try await sync.push()
            #expect(progress.pushed == 96)
            #expect(sync.workingPushLimits.changes == 10)
            #expect(try device.pendingCount() == 0)
        }
    }

    @Test func aChangeTooLargeOnItsOwnIsHeldWithTheLimitNamedAndTheRestArrive() async throws {
        let harness = try await ServerHarness(maxBodyBytes: 4096, maxBatchSize: 10)
        let device = try Self.device("ward-a")
        try Self.addStories(20, textBytes: 800, to: device)
        let big = try device.write(author: "amy") { writer in
            try writer.save(
                Story(id: "story-long", kind: .patient, site: "north", date: Self.day, text: Self.text(6000)))
        }
        try Self.addStories(20, textBytes: 800, to: device, first: 100)
        try await harness.application().test(.live) { client in
            let url = URL(string: "http://127.0.0.1:\(try #require(client.port))")!
            let sync = SyncClient(
                server: url, token: harness.tokens["admin"]!, store: device, transport: HTTPClientTransport())
            let progress = try await sync.push()
            #expect(progress.pushed == 41)
            #expect(progress.held == 1 && progress.heldTooLarge == 1)
            let held = try device.heldChanges()
            #expect(held.map(\.change.id) == [try #require(big).id])
            #expect(held.first?.code == "body_too_large")
            #expect(
                held.first?.reason.contains("4096 bytes") == true, "the limit is named: \(held.first?.reason ?? "")")
            #expect(try device.pendingCount() == 0)

            let other = try Self.device("ward-b")
            _ = try await SyncClient(
                server: url, token: harness.tokens["admin"]!, store: other, transport: HTTPClientTransport()
            ).pull()
            let stories = try other.records(Story.self, limit: 1000)
            #expect(stories.count == 40)
            #expect(!stories.contains { $0.id == "story-long" })
        }
    }

    @Test func aBodyFarOverTheLimitIsAnsweredAndSplitNotCutOff() async throws {
        // The server answers 413 before reading a body it will not take: the device must read that
        // answer, not mistake it for a broken connection.
        let harness = try await ServerHarness(maxBodyBytes: 64 * 1024)
        let device = try Self.device("ward-a")
        try Self.addStories(400, textBytes: 4000, to: device)
        try await harness.application().test(.live) { client in
            let url = URL(string: "http://127.0.0.1:\(try #require(client.port))")!
            let sync = SyncClient(
                server: url, token: harness.tokens["admin"]!, store: device, transport: HTTPClientTransport())
            let progress = try await sync.push()
            #expect(progress.pushed == 401)
            #expect(sync.workingPushLimits.bytes <= 64 * 1024)
        }
    }

    @Test func batchesAreBoundedByBytesBeforeTheServerSaysAnything() {
        let changes = (0..<50).map { index in
            RawLoggedChange(
                seq: Int64(index + 1), id: "c\(index)", replica: "ward-a", type: "story", entity: "s\(index)",
                site: "north", hlc: "0001780315140000-00000-ward-a", author: "amy",
                fieldsJSON: "{\"text\":\"\(String(repeating: "x", count: 1000))\"}", baseJSON: "{}")
        }
        let batch = PushBatch(pending: changes, replica: "ward-a", maxBytes: 10_000)
        #expect(batch.bytes <= 10_000)
        #expect(batch.changes.count >= 8 && batch.changes.count < 10)
        let alone = PushBatch(pending: changes, replica: "ward-a", maxBytes: 100)
        #expect(alone.changes.count == 1, "one change larger than the bound is still tried, alone")
    }

    static let day = Day(millisecondsSince1970: ServerHarness.now)

    /// A device whose clock agrees with the harness server's fixed clock.
    static func device(_ replica: String) throws -> ImprovementStore {
        try ImprovementStore(
            path: nil, options: StoreOptions(replica: replica, clock: PhysicalClock { ServerHarness.now - 60_000 }))
    }

    static func addStories(_ count: Int, textBytes: Int, to store: ImprovementStore, first: Int = 0) throws {
        try store.write(author: "amy") { writer in
            if try writer.fields(of: .site, id: "north") == nil { try writer.save(Site(id: "north", name: "North")) }
            for index in first..<(first + count) {
                try writer.save(
                    Story(id: "story-\(index)", kind: .staff, site: "north", date: day, text: text(textBytes)))
            }
        }
    }

    /// Text of about `bytes` bytes, as a ward would write it.
    static func text(_ bytes: Int) -> String {
        let sentence = "The night team tried hourly rounding on the bays nearest the station and noted every call. "
        return String(String(repeating: sentence, count: bytes / sentence.utf8.count + 1).prefix(bytes))
    }
}
