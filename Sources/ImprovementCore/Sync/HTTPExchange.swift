import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

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

    /// Redirects are not followed: the request carries a bearer token that must not be sent
    /// anywhere but the configured server. Created once, used for the life of the process.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(15), read: .seconds(120))
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Sends `method url` with `headers` and `body`; any answer (whatever its status) is returned,
    /// a failure to reach the server or read its answer in `timeout` is thrown.
    package static func send(
        _ method: String, url: URL, headers: [(String, String)], body: Data?, timeout: Duration = .seconds(120)
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: TimeAmount(timeout))
        let buffer = try await response.body.collect(upTo: maxAnswerBytes)
        return Answer(
            status: Int(response.status.code), body: Data(buffer.readableBytesView),
            location: response.headers.first(name: "Location"))
    }

    /// What went wrong, in words for the person syncing (NIO's own descriptions name types, not causes).
    package static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "the server took too long to answer"
            case .remoteConnectionClosed: return "the server closed the connection"
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
