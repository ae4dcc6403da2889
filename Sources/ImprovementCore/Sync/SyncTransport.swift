import Foundation

/// One request the sync client sends: the method, the full URL, headers and an optional body.
public struct SyncRequest: Sendable {
    /// The HTTP method (`GET`, `POST`).
    public var method: String
    /// The server address with the endpoint's path and query.
    public var url: URL
    /// Headers to send as given, in order (the protocol version, the bearer token, the content type).
    public var headers: [(name: String, value: String)]
    /// The JSON body (a push's changes); nil for requests without one.
    public var body: Data?
    /// How long the whole exchange may take before it counts as failed.
    public var timeout: Duration

    /// A request; its exchange may take two minutes unless `timeout` says otherwise.
    public init(
        method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data? = nil,
        timeout: Duration = .seconds(120)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// The server's whole answer, whatever its status.
public struct SyncResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The body as received (JSON for every endpoint).
    public var body: Data
    /// Where a redirect points: transports must not follow redirects, because requests carry
    /// a bearer token meant for the configured server alone.
    public var location: String?

    /// An answer as the transport received it.
    public init(status: Int, body: Data, location: String? = nil) {
        self.status = status
        self.body = body
        self.location = location
    }
}

/// What the sync client needs from the network, and nothing more: a mobile app brings its own
/// (URLSession, OkHttp through a bridge), the CLI and server tests use `HTTPClientTransport`
/// from the `ImprovementHTTPTransport` library.
public protocol SyncTransport: Sendable {
    /// Sends the request and returns the answer, whatever its status. Throws only when the
    /// server could not be reached or its answer could not be read in time.
    func send(_ request: SyncRequest) async throws -> SyncResponse

    /// A failure `send` threw, in words for the person syncing ("the server name … was not found").
    func describe(_ error: any Error) -> String
}

extension SyncTransport {
    /// The error as Swift prints it; a transport that knows its errors says them better.
    public func describe(_ error: any Error) -> String { String(describing: error) }
}
