import Foundation
import HTTPTypes
import Hummingbird
import ImprovementCore

/// Every error the API returns: a status, a stable `code` for programs and a `message` for people.
struct APIError: Error, HTTPResponseError, Sendable {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    /// Extra top-level members of the JSON body (e.g. the server time for `clock_skew`), as raw JSON.
    var extra: [(String, String)] = []
    /// Extra response headers (`WWW-Authenticate` on 401, `Allow` on 405).
    var headers: [(HTTPField.Name, String)] = []

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = "{\"code\":\(JSONText.string(code)),\"message\":\(JSONText.string(message))"
        for (key, rawJSON) in extra { body += ",\(JSONText.string(key)):\(rawJSON)" }
        body += "}"
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        for (name, value) in headers { fields[name] = value }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The same error naming the change it is about (`change` and `index` in the body).
    func about(changeID: String, in changes: [Change]) -> APIError {
        var error = self
        error.extra.append(("change", JSONText.string(changeID)))
        if let index = changes.firstIndex(where: { $0.id == changeID }) { error.extra.append(("index", String(index))) }
        return error
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "bad_request", message: message)
    }

    static let unauthorized = APIError(
        status: .unauthorized, code: "unauthorized",
        message: "This device is not signed in, or its token was withdrawn. Ask your coordinator for a new token.",
        headers: [(.wwwAuthenticate, "Bearer realm=\"improve\"")])

    static func forbidden(_ message: String) -> APIError {
        APIError(status: .forbidden, code: "forbidden", message: message)
    }

    static func invalidChange(_ message: String) -> APIError {
        APIError(status: .unprocessableContent, code: "invalid_change", message: message)
    }

    static func unsupportedProtocol(_ given: String?) -> APIError {
        let versions = ServerConfiguration.supportedProtocols.map(String.init).joined(separator: ", ")
        let what =
            given.map { "Protocol version \"\($0)\" is not supported." }
            ?? "The request names no protocol version (header Improve-Protocol)."
        return APIError(
            status: .badRequest, code: "unsupported_protocol",
            message:
                "\(what) This server speaks protocol versions: \(versions). Update the app to a version that speaks one of them.",
            extra: [("supported", "[" + versions + "]")])
    }

    static let notFound = APIError(
        status: .notFound, code: "not_found", message: "There is no such endpoint. See Protocol/README.md.")

    static func methodNotAllowed(_ allowed: String) -> APIError {
        APIError(
            status: .methodNotAllowed, code: "method_not_allowed", message: "This endpoint accepts \(allowed) only.",
            headers: [(.allow, allowed)])
    }
}

/// Small helpers for writing JSON text by hand.
enum JSONText {
    static func string(_ text: String) -> String {
        var out = ""
        CanonicalJSON.appendString(text, to: &out)
        return out
    }

    /// ISO 8601 UTC with milliseconds, e.g. 2026-06-01T12:00:00.000Z.
    static func timestamp(millis: Int64) -> String {
        let days = Int((millis - ((millis % 86_400_000) + 86_400_000) % 86_400_000) / 86_400_000)
        let day = Day(dayNumber: days)
        let inDay = Int(millis - Int64(days) * 86_400_000)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return
            "\(day)T\(pad(inDay / 3_600_000, 2)):\(pad(inDay / 60_000 % 60, 2)):\(pad(inDay / 1000 % 60, 2)).\(pad(inDay % 1000, 3))Z"
    }
}
