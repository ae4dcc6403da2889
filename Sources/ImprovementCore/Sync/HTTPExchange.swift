import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP request and its whole answer, over AsyncHTTPClient.
///
/// Not URLSession: on Linux, FoundationNetworking drives libcurl from a dispatch source that
/// polls while a request waits, measured here at about one core per waiting second (2.3 CPU-s
/// for one 3-second request, 11 for twenty). A device waiting on a slow ward connection, or a
/// benchmark sharing its cores with the server, should spend nothing while it waits.
package enum HTTPExchange {
    package struct Answer: Sendable {
        package var status: Int
        package var body: Data
        /// Where a redirect points (redirects are not followed).
        package var location: String?
    }

    /// The largest answer read: well above a full pull page (10,000 changes are a few MB).
    package static let maxAnswerBytes = 256 * 1024 * 1024

    /// One client per proxy setting (nil: direct), made when first needed and kept for the
    /// life of the process, so connections are reused.
    private static let clients = Mutex<[ProxySettings?: HTTPClient]>([:])

    /// Redirects are not followed: the request carries a bearer token that must not be sent
    /// anywhere but the configured server.
    private static func client(through proxy: ProxySettings?) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[proxy] { return client }
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            configuration.timeout = .init(connect: .seconds(15), read: .seconds(120))
            configuration.connectionPool = .init(idleTimeout: .seconds(30))
            // A refused or failed connection is reported at once: `improve sync` has its own
            // retries with backoff, and says what happened between them.
            configuration.connectionPool.retryConnectionEstablishment = false
            if let proxy {
                switch proxy.kind {
                case .http:
                    let authorization = proxy.username.map {
                        HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "")
                    }
                    configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
                case .socks:
                    configuration.proxy = .socksServer(host: proxy.host, port: proxy.port)
                }
            }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[proxy] = client
            return client
        }
    }

    /// Sends `method url` with `headers` and `body`, through the proxy the environment names
    /// (see `ProxySettings`); any answer (whatever its status) is returned, a failure to reach
    /// the server or read its answer in `timeout` is thrown.
    package static func send(
        _ method: String, url: URL, headers: [(String, String)], body: Data?, timeout: Duration = .seconds(120),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> Answer {
        let proxy = try ProxySettings.forURL(url, environment: environment)
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client(through: proxy).execute(request, timeout: TimeAmount(timeout))
        let buffer = try await response.body.collect(upTo: maxAnswerBytes)
        return Answer(
            status: Int(response.status.code), body: Data(buffer.readableBytesView),
            location: response.headers.first(name: "Location"))
    }

    /// What went wrong, in words for the person syncing (NIO's own descriptions name types, not causes).
    package static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ProxySettings.Unusable:
            return error.description
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "the server took too long to answer"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .proxyAuthenticationRequired:
                return "the proxy asks for a user name and password: put them in the proxy variable as http://USER:PASSWORD@HOST:PORT"
            case .invalidProxyResponse: return "the proxy refused to connect to the server"
            case .httpProxyHandshakeTimeout, .socksHandshakeTimeout: return "the proxy did not answer in time"
            default: return String(describing: error)
            }
        case let error as NIOConnectionError:
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return "the server name \(error.host) was not found"
            }
            if let first = error.connectionErrors.first { return describe(first.error) }
            return "no address to connect to for \(error.host)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        default:
            return String(describing: error)
        }
    }
}

extension TimeAmount {
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
