import AsyncHTTPClient
import Foundation
import ImprovementCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
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

    /// What tells one client from another: the proxy (nil: direct) and the certificate authorities trusted.
    private struct ClientSettings: Hashable {
        var proxy: ProxySettings?
        var trustedCertificatesFile: String?
    }

    /// One client per setting, made when first needed and kept for the life of the process, so
    /// connections are reused.
    private static let clients = Mutex<[ClientSettings: HTTPClient]>([:])

    /// Redirects are not followed: the request carries a bearer token that must not be sent
    /// anywhere but the configured server. `SSL_CERT_FILE`, as OpenSSL and curl read it, replaces
    /// the system's certificate authorities (an organisation's own authority, say).
    private static func client(_ settings: ClientSettings) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[settings] { return client }
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            if let file = settings.trustedCertificatesFile {
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.trustRoots = .file(file)
                configuration.tlsConfiguration = tls
            }
            configuration.timeout = .init(connect: .seconds(15), read: .seconds(120))
            configuration.connectionPool = .init(idleTimeout: .seconds(30))
            // A refused or failed connection is reported at once: `improve sync` has its own
            // retries with backoff, and says what happened between them.
            configuration.connectionPool.retryConnectionEstablishment = false
            if let proxy = settings.proxy {
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
            clients[settings] = client
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
        var settings = ClientSettings(proxy: try ProxySettings.forURL(url, environment: environment))
        if url.scheme?.lowercased() == "https", let file = environment["SSL_CERT_FILE"], !file.isEmpty {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw NetworkSettingError(description: "SSL_CERT_FILE names \(file), which cannot be read")
            }
            settings.trustedCertificatesFile = file
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client(settings).execute(request, timeout: TimeAmount(timeout))
        let buffer = try await response.body.collect(upTo: maxAnswerBytes)
        return Answer(
            status: Int(response.status.code), body: Data(buffer.readableBytesView),
            location: response.headers.first(name: "Location"))
    }

    /// What went wrong, in words for the person syncing (NIO's own descriptions name types, not causes).
    package static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NetworkSettingError:
            return error.description
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "the server took too long to answer"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .proxyAuthenticationRequired:
                return
                    "the proxy asks for a user name and password: put them in the proxy variable as http://USER:PASSWORD@HOST:PORT"
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
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return "the server's certificate is for another name than the server address"
        case let error as NIOSSLError:
            if String(describing: error).contains("CERTIFICATE_VERIFY_FAILED") {
                return "the server's certificate is not trusted on this device (if your organisation has its own "
                    + "certificate authority, install it on the device or set SSL_CERT_FILE to its certificate file)"
            }
            return "the secure connection failed (\(error))"
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
