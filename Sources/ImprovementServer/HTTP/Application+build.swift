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
    HealthRoutes(storage: storage, configuration: configuration).register(on: router)
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
    SyncRoutes(storage: storage, configuration: configuration, metrics: metrics).register(on: router)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "improve-server"),
        onServerRunning: { channel in
            await onServerRunning(channel.localAddress?.port ?? configuration.port)
        },
        logger: logger)
}
