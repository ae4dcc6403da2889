import Foundation

/// The server's clock, from `GET /health` (Protocol/README.md section 8.1).
enum ServerClock {
    /// The server's time in milliseconds since 1970, or nil when it cannot be read.
    static func nowMillis(server: URL, transport: any SyncTransport) async -> Int64? {
        let base =
            server.absoluteString.hasSuffix("/") ? String(server.absoluteString.dropLast()) : server.absoluteString
        guard let url = URL(string: base + "/health") else { return nil }
        guard let answer = try? await transport.send(SyncRequest(method: "GET", url: url, timeout: .seconds(30))),
            answer.status == 200,
            case .object(let object)? = try? JSONParser.parse(answer.body),
            case .string(let text)? = object["serverTime"]
        else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = formatter.date(from: text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
