import Hummingbird
import Logging
import Prometheus

/// The server's Prometheus metrics, in a registry of its own (no global bootstrap, so several
/// servers can run in one test process).
struct ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let accepted: Counter
    let duplicates: Counter
    let conflicts: Counter
    /// Live pulls (`wait=`) held open now, waiting for a change.
    let livePulls: Gauge

    init() {
        accepted = registry.makeCounter(
            descriptor: Self.name("changes_accepted", unit: "total", help: "Changes accepted by push"))
        duplicates = registry.makeCounter(
            descriptor: Self.name(
                "changes_duplicate", unit: "total", help: "Changes resent by a device and already held"))
        conflicts = registry.makeCounter(
            descriptor: Self.name("conflicts_created", unit: "total", help: "Conflict records created by pushes"))
        livePulls = registry.makeGauge(
            descriptor: Self.name("live_pulls_waiting", unit: "", help: "Live pulls held open, waiting for a change"))
    }

    /// Counts a live pull that begins (1) or ends (-1) a wait.
    func livePullWaiting(_ change: Double) {
        livePulls.increment(by: change)
    }

    static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "improve", metricName: metric, unitName: unit, helpText: help)
    }

    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    func recordRequest(method: String, path: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("path", path), ("status", String(status))]
        registry.makeDurationHistogram(
            descriptor: Self.name("http_request_duration", unit: "seconds", help: "HTTP request latency"),
            labels: labels,
            buckets: Self.buckets
        ).record(duration)
        registry.makeCounter(
            descriptor: Self.name("http_requests", unit: "total", help: "HTTP requests"), labels: labels
        )
        .increment()
    }

    /// A push whose body could not be taken whole, by error code (`body_too_large`,
    /// `incomplete_body`), so a network that cuts uploads short is not mistaken for a limit too low.
    func recordBodyError(code: String) {
        registry.makeCounter(
            descriptor: Self.name(
                "request_body_errors", unit: "total", help: "Push bodies refused as too large or cut short"),
            labels: [("code", code)]
        ).increment()
    }

    func record(_ outcome: PushOutcome) {
        accepted.increment(by: Int64(outcome.accepted))
        duplicates.increment(by: Int64(outcome.duplicates))
        conflicts.increment(by: Int64(outcome.conflicts))
    }

    func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// Times every request and turns every error into the JSON error shape, so no client mistake
/// ever reaches the client as an HTML page or a bare 500.
struct ErrorAndMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let path = Self.routeLabel(request.uri.path)
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            var apiError = Self.apiError(for: error)
            // The router knows paths by method; a known path asked with another method is a 405.
            if apiError.status == .notFound, let allowed = Self.allowedMethods[request.uri.path] {
                apiError = .methodNotAllowed(allowed)
            }
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["path": "\(path)", "error": "\(error)"])
            }
            response = try apiError.response(from: request, context: context)
        }
        metrics.recordRequest(
            method: request.method.rawValue, path: path, status: response.status.code,
            duration: ContinuousClock.now - start)
        return response
    }

    /// Known paths are labelled as they are; anything else as "unmatched", so a scanner cannot
    /// create unbounded metric series.
    static func routeLabel(_ path: String) -> String {
        allowedMethods[path] != nil ? path : "unmatched"
    }

    /// The API's paths and the one method each accepts.
    static var allowedMethods: [String: String] {
        [
            "/health": "GET", "/health/ready": "GET", "/metrics": "GET", "/v1/push": "POST", "/v1/pull": "GET",
            "/v1/account": "GET",
        ]
    }

    static func apiError(for error: any Error) -> APIError {
        if let apiError = error as? APIError { return apiError }
        if let httpError = error as? HTTPError {
            switch httpError.status {
            case .notFound: return .notFound
            case .methodNotAllowed: return .methodNotAllowed("the documented methods")
            case .contentTooLarge:
                return APIError(
                    status: .contentTooLarge, code: "body_too_large", message: "The request body is too large.")
            default:
                if httpError.status.code < 500 {
                    return APIError(
                        status: httpError.status, code: "bad_request",
                        message: httpError.body ?? "The request is malformed.")
                }
            }
        }
        return APIError(
            status: .internalServerError, code: "internal_error",
            message: "The server could not complete the request. Nothing was applied; try again later.")
    }
}
