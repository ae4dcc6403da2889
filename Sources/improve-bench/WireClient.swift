import AsyncHTTPClient
import Foundation
import ImprovementCore
import NIOCore
import NIOHTTP1

/// Speaks the sync protocol's push and pull straight over HTTP, as a device does, without a
/// store: the load benchmark measures the server, not 1,000 device databases on the same cores.
struct WireClient: Sendable {
    let client: HTTPClient
    let base: String

    /// One exchange's outcome: the HTTP status (0 when the server could not be reached) and body.
    struct Answer {
        var status: Int
        var body: ByteBuffer
    }

    /// An HTTP client with room for `connections` requests at once to one server (the pool's
    /// default of 8 would queue the simulated devices inside the client and hide the server's latency).
    static func httpClient(connections: Int) -> HTTPClient {
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60))
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        return HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .disallow, timeout: .init(connect: .seconds(30), read: .seconds(120)),
                connectionPool: pool))
    }

    func push(_ changes: [Change], replica: String, token: String) async -> Answer {
        var body = "{\"replica\":\"\(replica)\",\"changes\":["
        for (index, change) in changes.enumerated() {
            if index > 0 { body += "," }
            ChangeWire.append(change, to: &body)
        }
        body += "]}"
        return await send("POST", "/v1/push", token: token, body: body)
    }

    /// A pull page after `cursor`; `wait` asks the server to hold the request until a change arrives.
    func pull(after cursor: Int64, token: String, limit: Int = 1000, wait: Int? = nil) async -> Answer {
        var path = "/v1/pull?after=\(cursor)&limit=\(limit)"
        if let wait { path += "&wait=\(wait)" }
        return await send("GET", path, token: token, body: nil)
    }

    /// The cursor a pull answer names, or nil when the answer is not a page.
    ///
    /// Read from the answer's tail rather than by parsing the whole page: the devices here do not
    /// keep the changes, and parsing a hundred of them per pull cost the bench more CPU than the
    /// server spent answering, on the cores the server shares. The page's own `"cursor":` is
    /// its last one: inside a change's strings a quote is escaped, and after the changes come
    /// only the conflicts (which have no cursor) and the page's own fields.
    static func cursor(of answer: Answer) -> Int64? {
        guard answer.status == 200 else { return nil }
        let bytes = Array(answer.body.readableBytesView)
        let key = Array("\"cursor\":".utf8)
        guard bytes.count >= key.count else { return nil }
        var start = bytes.count - key.count
        while start >= 0 {
            if bytes[start] == key[0] && Array(bytes[start..<start + key.count]) == key {
                var index = start + key.count
                var value: Int64 = 0
                var digits = 0
                while index < bytes.count, (48...57).contains(bytes[index]), digits < 18 {
                    value = value * 10 + Int64(bytes[index] - 48)
                    index += 1
                    digits += 1
                }
                return digits > 0 ? value : nil
            }
            start -= 1
        }
        return nil
    }

    /// The sites, a unit per device and the measure the devices record, pushed by the admin.
    func define(sites: Int, devices: Int, token: String) async throws {
        var changes: [Change] = []
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        func add(_ type: String, _ entity: String, site: String?, _ fields: FieldMap) {
            changes.append(
                Change(
                    id: ChangeID.random(millis: now), replica: "load-admin", type: type, entity: entity, site: site,
                    hlc: HLC(millis: now, counter: changes.count, replica: "load-admin"), author: "load-admin",
                    fields: fields, base: [:]))
        }
        for site in 0..<sites { add("site", "site-\(site)", site: "site-\(site)", ["name": .text("Site \(site)")]) }
        add("programme", "falls", site: nil, ["name": .text("Falls"), "aim": .text("Fewer falls")])
        add(
            "measure", SimulatedDevice.measure, site: nil,
            [
                "programme": .text("falls"), "name": .text("Falls per 1,000 bed days"), "type": .text("outcome"),
                "chart": .text("u"), "frequency": .text("week"), "direction": .text("down"),
            ])
        for device in 0..<devices {
            let site = SimulatedDevice.site(device, of: sites)
            add(
                "unit", SimulatedDevice.unit(device), site: site,
                ["site": .text(site), "name": .text("Ward \(device)")])
        }
        for start in stride(from: 0, to: changes.count, by: 2000) {
            let answer = await push(
                Array(changes[start..<min(start + 2000, changes.count)]), replica: "load-admin", token: token)
            guard answer.status == 200 else {
                throw BenchError(
                    "the definitions were refused (HTTP \(answer.status)): \(String(buffer: answer.body).prefix(500))")
            }
        }
    }

    private func send(_ method: String, _ path: String, token: String, body: String?) async -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method == "POST" ? .POST : .GET
        request.headers.add(name: "Improve-Protocol", value: "1")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await client.execute(request, timeout: .seconds(120))
            let buffer = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return Answer(status: Int(response.status.code), body: buffer)
        } catch {
            return Answer(status: 0, body: ByteBuffer(string: String(describing: error)))
        }
    }
}
