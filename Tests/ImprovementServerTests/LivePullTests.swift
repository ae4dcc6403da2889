import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ImprovementCore
import ImprovementHTTPTransport
import Synchronization
import Testing

@testable import ImprovementServer

/// `GET /v1/pull?wait=SECONDS`: held open while nothing is new, answered as soon as a change the
/// caller may see commits. Requests go over real sockets, each on a connection of its own (the
/// test client would queue the push behind the waiting pull on one connection).
@Suite("Live pull")
struct LivePullTests {
    /// An answer, parsed, and how long it took.
    struct Answer {
        var status: Int
        var json: [String: JSONValue]
        var seconds: Double

        var changeIDs: [String] {
            guard case .array(let changes)? = json["changes"] else { return [] }
            return changes.compactMap { change in
                if case .object(let object) = change, case .string(let id)? = object["id"] { return id }
                return nil
            }
        }

        var cursor: Double? {
            if case .number(let value)? = json["cursor"] { return value }
            return nil
        }

        var code: String? {
            if case .string(let code)? = json["code"] { return code }
            return nil
        }

        var message: String {
            if case .string(let message)? = json["message"] { return message }
            return ""
        }
    }

    /// Speaks to a live test server at `port` as the harness's accounts.
    struct Speaker: Sendable {
        let server: ServerHarness
        let port: Int

        func send(_ method: String, _ path: String, as account: String, body: ByteBuffer? = nil) async throws -> Answer
        {
            var headers = [("Improve-Protocol", "1")]
            if let token = server.tokens[account] { headers.append(("Authorization", "Bearer \(token)")) }
            let started = ContinuousClock.now
            let answer = try await HTTPExchange.send(
                method, url: URL(string: "http://127.0.0.1:\(port)\(path)")!, headers: headers,
                body: body.map { Data($0.readableBytesView) }, environment: [:])
            let elapsed = ContinuousClock.now - started
            var json: [String: JSONValue] = [:]
            if case .object(let object)? = try? JSONParser.parse(answer.body) { json = object }
            return Answer(
                status: answer.status, json: json,
                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }

        func push(_ changes: [Change], as account: String) async throws -> Answer {
            try await send("POST", "/v1/push", as: account, body: Changes.body(changes))
        }
    }

    /// Runs `body` with the harness's server listening on a real port.
    static func live(_ server: ServerHarness, _ body: @escaping @Sendable (Speaker) async throws -> Void) async throws {
        try await server.application().test(.live) { client in
            let port = try #require(client.port)
            try await body(Speaker(server: server, port: port))
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func aWaitingPullIsAnsweredWhenAChangeItMaySeeCommits(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        try await Self.live(server) { speaker in
            let first = try await speaker.push([Changes.observation(site: "north", unit: "ward-7")], as: "member-north")
            #expect(first.status == 200)
            guard case .number(let number)? = first.json["cursor"] else { throw TestSetupError("no cursor") }
            let cursor = Int(number)
            let south = Changes.observation(site: "south", unit: "ward-9", replica: "ward-b")
            let north = Changes.observation(site: "north", unit: "ward-7", week: "2026-05-18")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let answer = try await speaker.send("GET", "/v1/pull?after=\(cursor)&wait=30", as: "member-north")
                    #expect(answer.status == 200)
                    // The south change was not the caller's to see: only the north one answers it.
                    #expect(answer.changeIDs == [north.id])
                    #expect(answer.seconds >= 0.5 && answer.seconds < 10, "answered on the commit: \(answer.seconds) s")
                }
                try await Task.sleep(for: .milliseconds(300))
                #expect(
                    try await speaker.send(
                        "POST", "/v1/push", as: "member-south", body: Changes.body([south], replica: "ward-b")
                    ).status == 200)
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await speaker.push([north], as: "member-north").status == 200)
                try await group.waitForAll()
            }
            #expect(server.storage.commits.waiting == 0, "no waiter is left behind")
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func aPullWithNewsAnswersAtOnceAndAQuietWaitEndsWithAnEmptyPageAndTheSameCursor(
        backend: StorageBackend
    ) async throws {
        let server = try await ServerHarness(backend: backend)
        try await Self.live(server) { speaker in
            let change = Changes.observation(site: "north", unit: "ward-7")
            #expect(try await speaker.push([change], as: "member-north").status == 200)
            let news = try await speaker.send("GET", "/v1/pull?after=0&wait=30", as: "coordinator")
            #expect(news.status == 200 && news.changeIDs == [change.id])
            #expect(news.seconds < 5, "news is answered at once")

            let quiet = try await speaker.send("GET", "/v1/pull?after=1&wait=1", as: "coordinator")
            #expect(quiet.status == 200)
            #expect(quiet.changeIDs.isEmpty)
            #expect(quiet.cursor == 1, "the same cursor")
            #expect(quiet.json["hasMore"] == .bool(false))
            #expect(quiet.seconds >= 0.9 && quiet.seconds < 5, "held for the wait: \(quiet.seconds) s")
            #expect(server.storage.commits.waiting == 0)
        }
    }

    /// Decided: the token is checked when the pull arrives (401 at once) and again on every wake,
    /// and withdrawing a token wakes the waiting pulls, so a pull waiting on a withdrawn token is
    /// refused within moments, never answered with a change.
    @Test(arguments: StorageBackend.allCases)
    func aWaitingPullOnAWithdrawnTokenIsRefused(backend: StorageBackend) async throws {
        let server = try await ServerHarness(backend: backend)
        try await Self.live(server) { speaker in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let answer = try await speaker.send("GET", "/v1/pull?after=0&wait=30", as: "viewer")
                    #expect(answer.status == 401 && answer.code == "unauthorized")
                    #expect(answer.seconds < 10, "refused on the withdrawal, not at the end of the wait")
                }
                try await Task.sleep(for: .milliseconds(400))
                #expect(try await server.storage.revokeAccount(name: "viewer"))
                try await group.waitForAll()
            }
            let again = try await speaker.send("GET", "/v1/pull?after=0&wait=30", as: "viewer")
            #expect(again.status == 401 && again.seconds < 5, "a withdrawn token is refused at once")
            #expect(server.storage.commits.waiting == 0)
        }
    }

    @Test func waitMustBeWholeSecondsFromZeroToSixty() async throws {
        let server = try await ServerHarness()
        try await server.application().test(.router) { client in
            for value in ["abc", "-1", "61", "1.5", "", "3600"] {
                let answer = try await client.execute(
                    uri: "/v1/pull?after=0&wait=\(value)", method: .get, headers: server.headers("coordinator"))
                #expect(answer.status == .badRequest, "wait=\(value)")
                #expect(answer.code == "bad_request")
                #expect(
                    answer.message.contains("wait: must be a whole number of seconds from 0 to 60"), "\(answer.message)"
                )
            }
            let twice = try await client.execute(
                uri: "/v1/pull?after=0&wait=1&wait=2", method: .get, headers: server.headers("coordinator"))
            #expect(twice.status == .badRequest && twice.message.contains("wait: is given more than once"))
            let none = try await client.execute(
                uri: "/v1/pull?after=0&wait=0", method: .get, headers: server.headers("coordinator"))
            #expect(none.status == .ok, "wait=0 answers at once, as without wait")
        }
    }

    @Test func aThousandWaitsCostNoThreadAndEachEndsOnItsCommitOrItsCancellation() async throws {
        let signal = CommitSignal()
        let progress = RaceProgress()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    let ticket = signal.arm(for: [index.isMultiple(of: 2) ? "north" : "south"])
                    await signal.wait(ticket, until: .now + .seconds(60))
                    signal.disarm(ticket)
                    progress.finished.add(1, ordering: .relaxed)
                }
            }
            while signal.waiting < 1000 { try? await Task.sleep(for: .milliseconds(10)) }
            signal.notify(.sites(["north"]))
            while progress.finished.load(ordering: .relaxed) < 500 { try? await Task.sleep(for: .milliseconds(10)) }
            try? await Task.sleep(for: .milliseconds(100))
            #expect(progress.finished.load(ordering: .relaxed) == 500, "a north commit wakes the north waiters only")
            #expect(signal.waiting == 500)
            // A client gone (the task cancelled) leaves no waiter behind.
            group.cancelAll()
        }
        #expect(progress.finished.load(ordering: .relaxed) == 1000)
        #expect(signal.waiting == 0)
        // A change of no site is everyone's.
        let ticket = signal.arm(for: ["south"])
        signal.notify(.sites([nil]))
        await signal.wait(ticket, until: .now + .seconds(60))
        signal.disarm(ticket)
    }
}
