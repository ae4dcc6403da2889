import HTTPTypes
import Hummingbird

/// How the server treats a push body it will not take whole.
enum RequestBodyLimits {
    /// Most bytes of an over-limit body read (and thrown away) before the 413 answer.
    static let discardBytes = 64 * 1024 * 1024
    /// Longest time spent reading an over-limit body before the 413 answer.
    static let discardTime: Duration = .seconds(15)

    /// Reads and discards the body up to `discardBytes` or `discardTime`. An HTTP/1.1 client
    /// usually sends the whole body before it reads; closing on unread bytes would reset the
    /// connection and lose the answer.
    static func discard(_ body: RequestBody) async {
        let start = ContinuousClock.now
        var read = 0
        do {
            for try await chunk in body {
                read += chunk.readableBytes
                if read >= discardBytes || ContinuousClock.now - start >= discardTime { break }
            }
        } catch {
            // The sender stopped: the answer is the same.
        }
    }

    /// The connection ended before the body did (`Content-Length` promised more).
    static let incompleteBody = APIError(
        status: .badRequest, code: "incomplete_body",
        message: "The upload ended before the whole request body arrived (the connection was cut). Nothing was "
            + "applied; sync again when the connection is steadier.",
        headers: [(.connection, "close")])
}

extension APIError {
    /// The same error, asking the client to close the connection after the answer.
    func closingConnection() -> APIError {
        var error = self
        error.headers.append((.connection, "close"))
        return error
    }
}
