import Hummingbird
import ImprovementCore
import Logging

/// Builds the sync server: routes, guards and metrics around a storage backend.
package func buildApplication(
    configuration: ServerConfiguration, storage: any SyncStorage, logger: Logger,
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let metrics = ServerMetrics()
    let router = Router(context: BasicRequestContext.self)
    router.middlewares.add(ErrorAndMetricsMiddleware(metrics: metrics))
    router.get("/health") { _, _ in
        // The store must answer, or a load balancer should send requests elsewhere.
        do {
            _ = try await storage.lastSequence()
        } catch {
            throw APIError(
                status: .serviceUnavailable, code: "unavailable",
                message: "The server cannot reach its database. Try again shortly.")
        }
        let now = configuration.clock.nowMillis()
        let versions = ServerConfiguration.supportedProtocols.map(String.init).joined(separator: ",")
        return json(
            "{\"protocols\":[\(versions)],\"serverTime\":\(JSONText.string(JSONText.timestamp(millis: now))),\"status\":\"ok\"}")
    }
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
    SyncRoutes(storage: storage, configuration: configuration, metrics: metrics).register(on: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "improve-server"),
        onServerRunning: { channel in
            await onServerRunning(channel.localAddress?.port ?? configuration.port)
        },
        logger: logger)
}
