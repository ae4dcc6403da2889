import Foundation
import ImprovementCore

/// The sync transport over AsyncHTTPClient: what the CLI, the benchmark and the tests use.
///
/// Honours `https_proxy`/`http_proxy`/`no_proxy` (see `ProxySettings`) and `SSL_CERT_FILE`,
/// never follows redirects, and reads answers up to 256 MB.
public struct HTTPClientTransport: SyncTransport {
    private let environment: [String: String]

    /// A transport reading proxy and certificate settings from `environment` (the process's own by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Sends the request over AsyncHTTPClient, through a proxy when the environment names one; a redirect comes back as the answer (with its `location`), never followed.
    public func send(_ request: SyncRequest) async throws -> SyncResponse {
        let answer = try await HTTPExchange.send(
            request.method, url: request.url, headers: request.headers.map { ($0.name, $0.value) }, body: request.body,
            timeout: request.timeout, environment: environment)
        return SyncResponse(status: answer.status, body: answer.body, location: answer.location)
    }

    /// The failure in words (a server name not found, a timeout, a certificate not trusted, a proxy refusing).
    public func describe(_ error: any Error) -> String { HTTPExchange.describe(error) }
}
