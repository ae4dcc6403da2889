import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// The server's long-running work as one `ServiceGroup`: the storage's services (PostgreSQL's
/// connection pool), then the HTTP server.
///
/// A group starts its services in order and shuts them down in reverse, so on SIGTERM the HTTP
/// server stops accepting and finishes the requests it has, and only then does the pool drain.
package func serverServiceGroup(
    storage: OpenedSyncStorage, application: some ApplicationProtocol,
    gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint], logger: Logger
) -> ServiceGroup {
    ServiceGroup(
        configuration: .init(
            services: storage.services + [application], gracefulShutdownSignals: gracefulShutdownSignals,
            logger: logger))
}
