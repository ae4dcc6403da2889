import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImprovementCore
import Synchronization
import Testing

@testable import ImprovementServer

@Suite("Concurrent sync")
struct ConcurrencyTests {
    /// Devices push while another pulls in a loop on a real socket; the puller must end up with
    /// every accepted change exactly once, in sequence order.
    @Test(arguments: StorageBackend.allCases)
    func aPullRacingConcurrentPushesMissesNothing(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        let devices = 4
        let batches = 15
        let perBatch = 20
        let progress = RaceProgress()
        try await server.application().test(.live) { client in
            try await withThrowingTaskGroup(of: [String].self) { group in
                for device in 0..<devices {
                    group.addTask {
                        for batch in 0..<batches {
                            let changes = (0..<perBatch).map { index in
                                Changes.observation(
                                    site: "north", unit: "ward-\(device)", week: "w\(batch)-\(index)",
                                    replica: "device-\(device)")
                            }
                            let response = try await client.execute(
                                uri: "/v1/push", method: .post, headers: server.headers("member-north"),
                                body: Changes.body(changes, replica: "device-\(device)"))
                            #expect(response.status == .ok)
                            progress.pushed.withLock { $0 += changes.map(\.id) }
                        }
                        progress.finished.add(1, ordering: .sequentiallyConsistent)
                        return []
                    }
                }
                group.addTask {
                    var cursor: Int64 = 0
                    var seen: [String] = []
                    var lastSeq: Int64 = 0
                    while true {
                        let done = progress.finished.load(ordering: .sequentiallyConsistent) == devices
                        let page = try await client.execute(
                            uri: "/v1/pull?after=\(cursor)&limit=37", method: .get,
                            headers: server.headers("coordinator"))
                        guard case .array(let changes)? = page.json["changes"] else {
                            throw StoreError.corrupt("no changes")
                        }
                        for case .object(let change) in changes {
                            if case .number(let seq)? = change["seq"] {
                                #expect(Int64(seq) > lastSeq, "sequence numbers only grow")
                                lastSeq = Int64(seq)
                            }
                            if case .string(let id)? = change["id"] { seen.append(id) }
                        }
                        cursor = Int64(page.number("cursor") ?? Double(cursor))
                        if done && page.json["hasMore"] == .bool(false) { break }
                    }
                    return seen
                }
                var pulled: [String] = []
                for try await ids in group where !ids.isEmpty { pulled = ids }
                let all = progress.pushed.withLock { $0 }
                #expect(all.count == devices * batches * perBatch)
                #expect(pulled.count == all.count, "no change pulled twice or missed")
                #expect(Set(pulled) == Set(all))
            }
        }
    }
}

/// What the racing pushers have done so far, shared with the puller.
final class RaceProgress: Sendable {
    let pushed = Mutex<[String]>([])
    let finished = Atomic<Int>(0)
}
