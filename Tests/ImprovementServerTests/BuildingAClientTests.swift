import Foundation
import Hummingbird
import HummingbirdTesting
import ImprovementCore
import ImprovementHTTPTransport
import ImprovementServer
import ImprovementTestSupport
import Testing

/// The steps of the DocC article "Building a client" (Sources/ImprovementCore/ImprovementCore.docc/
/// BuildingAClient.md), done in code against the real server on a loopback socket: open a store,
/// record, start the engine, observe its status, and resolve a conflict that two devices made.
/// Keep the article's snippets and this test alike.
@Suite("Building a client")
struct BuildingAClientTests {
    let week = Day("2026-05-25")!

    @Test(.timeLimit(.minutes(1)))
    func aCoordinatorAndAWardDeviceSyncDisagreeAndSettleIt() async throws {
        var server = try await ServerHarness()
        server.configuration.clock = .system  // the devices stamp their changes with the real clock
        let folder = try TemporaryFolder()
        let officeToken = try #require(server.tokens["coordinator"])
        let wardToken = try #require(server.tokens["member-north"])
        try await server.application().test(.live) { client in
            let port = try #require(client.port)
            let url = URL(string: "http://127.0.0.1:\(port)")!
            let transport = HTTPClientTransport()

            // Open a store, knowing the account so a write it may not make is refused at once.
            let officeAccount = try await ServerAccount.fetch(server: url, token: officeToken, transport: transport)
            let office = try ImprovementStore(
                path: folder.path("office.sqlite"),
                options: StoreOptions(replica: "office-laptop", account: officeAccount?.scope))

            // Record: the definitions a ward records against, in one transaction.
            try office.write(author: "dr.ahmed") { writer in
                try writer.save(Site(id: "north", name: "North Hospital"))
                try writer.save(Unit(id: "ward-7", site: "north", name: "Ward 7"))
                try writer.save(
                    Programme(id: "falls", name: "Falls", aim: "Reduce inpatient falls by 30% by June 2027"))
                try writer.save(
                    Measure(
                        id: "falls-rate", programme: "falls", name: "Falls per 1,000 bed days", type: .outcome,
                        chart: .u, frequency: .week, direction: .down))
            }

            // One sync when asked: push, then pull.
            let officeEngine = SyncEngine(store: office, server: url, token: officeToken, transport: transport)
            let first = try await officeEngine.syncOnce()
            #expect(first.pushed == 4)

            // The ward's tablet: its own store and a long-lived engine.
            let wardAccount = try #require(
                try await ServerAccount.fetch(server: url, token: wardToken, transport: transport))
            #expect(wardAccount.scope.role == .member)
            let ward = try ImprovementStore(
                path: folder.path("ward.sqlite"),
                options: StoreOptions(replica: "ward-7-tablet", account: wardAccount.scope))
            let wardEngine = SyncEngine(
                store: ward, server: url, token: wardToken, transport: transport,
                options: SyncEngine.Options(pollInterval: 0.05, minimumInterval: 0.05))
            try await wardEngine.syncOnce()
            #expect(try ward.record(Measure.self, id: "falls-rate") != nil, "the definitions came down")

            // A member may not define measures: refused before anything is written.
            #expect(throws: WriteRefusal.self) {
                try ward.write(author: "amy") { writer in
                    try writer.save(
                        Measure(
                            id: "sedation", programme: "falls", name: "Patients on sedatives", type: .balancing,
                            chart: .i, frequency: .month, direction: .down))
                }
            }

            try ward.write(author: "amy") { writer in
                try writer.record(
                    ObservationEntry(
                        measure: "falls-rate", unit: "ward-7", period: week, numerator: 3, denominator: 300,
                        note: "agency staff"))
            }

            let recorded = Date()

            // Start the engine and observe its status: the change recorded is sent soon after.
            let updates = wardEngine.statusUpdates()
            let running = Task { await wardEngine.run() }
            let sent = await updates.first { status in
                status.state == .idle && status.pending == 0 && (status.lastSynced ?? .distantPast) > recorded
            }
            #expect(sent?.lastError == nil && sent?.held == 0)

            // The coordinator, not having synced since, records the same week differently.
            try office.write(author: "dr.ahmed") { writer in
                try writer.record(
                    ObservationEntry(
                        measure: "falls-rate", unit: "ward-7", period: week, numerator: 4, denominator: 300))
            }
            try await officeEngine.syncOnce()
            await wardEngine.requestSync()
            try await Self.waitUntil { try ward.recordConflicts().count == 1 }

            // Resolve the conflict: one entry per record, both versions whole.
            let open = try office.recordConflicts()
            let conflict = try #require(open.first)
            #expect(open.count == 1 && conflict.fields == ["note", "numerator"])
            #expect(conflict.winner.author == "dr.ahmed" && conflict.loser.author == "amy")
            #expect(conflict.loser.values["numerator"] == .number(3))
            try office.write(author: "dr.ahmed") { writer in
                try writer.resolve(conflict, keep: .loser)
            }
            try await officeEngine.syncOnce()
            await wardEngine.requestSync()
            try await Self.waitUntil { try ward.recordConflicts().isEmpty }

            for store in [office, ward] {
                let point = try #require(try store.observations(ObservationQuery(measure: "falls-rate")).first)
                #expect(point.numerator == 3 && point.note == "agency staff" && point.recordedBy == "amy")
                #expect(try store.recordConflicts(includeResolved: true).first?.resolution == .loser)
                #expect(try store.pendingCount() == 0)
            }

            running.cancel()
            await running.value
            #expect(wardEngine.status.state == .stopped)
        }
    }

    /// Waits (up to 10 seconds) until `condition` holds.
    private static func waitUntil(_ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while try !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("the condition did not come true within 10 seconds")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
