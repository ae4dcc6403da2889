import Foundation
import ImprovementCore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The server's clock, from `GET /health` (Protocol/README.md section 8.1).
enum ServerClock {
    /// The server's time in milliseconds since 1970, or nil when it cannot be read.
    static func nowMillis(server: URL) async -> Int64? {
        let base =
            server.absoluteString.hasSuffix("/") ? String(server.absoluteString.dropLast()) : server.absoluteString
        guard let url = URL(string: base + "/health") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 30
        guard let (data, response) = try? await URLSession.shared.data(for: request),
            (response as? HTTPURLResponse)?.statusCode == 200,
            case .object(let object)? = try? JSONParser.parse(data),
            case .string(let text)? = object["serverTime"]
        else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = formatter.date(from: text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
