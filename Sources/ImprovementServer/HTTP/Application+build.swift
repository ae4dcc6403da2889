import Hummingbird
import ImprovementCore
import Logging

/// Builds the sync server: routes, guards and metrics around a storage backend.
package func buildApplication(
    configuration: ServerConfiguration, storage: some SyncStorage, logger: Logger,
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let metrics = ServerMetrics()
    let router = Router(context: BasicRequestContext.self)
    router.middlewares.add(ErrorAndMetricsMiddleware(metrics: metrics))
    router.get("/health") { _, _ in
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
    for method in [HTTPRequest.Method.post, .put, .delete, .patch] {
        router.on("/health", method: method) { _, _ -> Response in throw APIError.methodNotAllowed("GET") }
        router.on("/metrics", method: method) { _, _ -> Response in throw APIError.methodNotAllowed("GET") }
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
