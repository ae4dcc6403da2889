/// Why a sync did not complete, in words the person holding the device can act on. Nothing
/// recorded on the device is lost in any of these cases: unsent changes stay queued.
public enum SyncError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The token is missing, wrong or withdrawn.
    case unauthorized(String)
    /// The account may not send or see something in the batch.
    case forbidden(String)
    /// The server speaks another protocol version.
    case unsupportedProtocol(String)
    /// The device clock is too far ahead; `serverMillis` is the server's time.
    case clockSkew(message: String, serverMillis: Int64?)
    /// The server refused the request as malformed (a bug in this app, or a damaged change).
    case refused(code: String, message: String)
    /// The server refused one named change (`forbidden` or `invalid_change`); the push sets it
    /// aside and sends the rest.
    case changeRefused(id: String, code: String, message: String)
    /// The server refused a push as too large (`batch_too_large` or `body_too_large`), with its
    /// limit when it named one (changes or bytes). The push splits the batch; this reaches the
    /// caller only when even that could not help.
    case pushTooLarge(code: String, limit: Int?, message: String)
    /// The server failed; try again later.
    case server(status: Int, message: String)
    /// The server could not be reached.
    case network(String)
    /// The server's answer could not be read.
    case badResponse(String)

    /// What stopped the sync and what the person can do about it.
    public var description: String {
        switch self {
        case .unauthorized(let message):
            return "The server did not accept this device's token. \(message)"
        case .forbidden(let message):
            return "The server refused a change this account may not make: \(message)"
        case .unsupportedProtocol(let message):
            return message
        case .clockSkew(let message, _):
            return message
        case .refused(let code, let message):
            return "The server refused the data (\(code)): \(message)"
        case .changeRefused(_, _, let message):
            return "The server refused a change: \(message)"
        case .pushTooLarge(let code, let limit, let message):
            let limitText = limit.map { " (limit \($0) \(code == "batch_too_large" ? "changes" : "bytes"))" } ?? ""
            return "The server refused the data as too large\(limitText): \(message) Your changes are kept."
        case .server(let status, let message):
            return "The server had a problem (HTTP \(status)): \(message) Your changes are kept; try again later."
        case .network(let detail):
            return
                "Could not reach the server (\(detail)). Your changes are kept on this device; sync again when connected."
        case .badResponse(let detail):
            return "The server's answer could not be read (\(detail)). Your changes are kept; try again later."
        }
    }

    /// Worth retrying automatically (with backoff): the network or the server, not the request.
    public var isTransient: Bool {
        switch self {
        case .network, .server: true
        default: false
        }
    }
}
