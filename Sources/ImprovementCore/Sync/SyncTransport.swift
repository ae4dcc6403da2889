import Foundation

/// One request the sync client sends: the method, the full URL, headers and an optional body.
public struct SyncRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// How long the whole exchange may take before it counts as failed.
    public var timeout: Duration

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
    public var status: Int
    public var body: Data
    /// Where a redirect points: transports must not follow redirects, because requests carry
    /// a bearer token meant for the configured server alone.
    public var location: String?

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
    public func describe(_ error: any Error) -> String { String(describing: error) }
}
