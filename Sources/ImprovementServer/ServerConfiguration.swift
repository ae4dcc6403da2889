import ImprovementCore

/// How the server runs: where it listens and the limits it enforces.
public struct ServerConfiguration: Sendable {
    /// The address to listen on (`127.0.0.1` by default; `0.0.0.0` for every interface).
    public var host: String
    /// The TCP port to listen on; 0 picks a free one.
    public var port: Int
    /// Largest request body accepted, in bytes.
    public var maxBodyBytes: Int
    /// Most changes accepted in one push.
    public var maxBatchSize: Int
    /// Most changes returned by one pull page.
    public var maxPullLimit: Int
    /// How far ahead of the server clock a change may be stamped.
    public var maxClockAheadMillis: Int64
    /// The server's clock, against which device stamps are judged (replaceable so tests are exact).
    public var clock: PhysicalClock
    /// Free disk space below which `/health/ready` answers 503 (SQLite only: the disk that holds the file).
    public var minFreeBytes: Int64

    /// Protocol versions this server speaks.
    public static let supportedProtocols = ImproveVersion.protocolVersions

    /// A configuration; by default it listens on 127.0.0.1:8080 and takes bodies up to 8 MiB and 5,000 changes a push.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 8 * 1024 * 1024, maxBatchSize: Int = 5000,
        maxPullLimit: Int = 10_000, maxClockAheadMillis: Int64 = 5 * 60 * 1000, clock: PhysicalClock = .system,
        minFreeBytes: Int64 = 256 * 1024 * 1024
    ) {
        self.minFreeBytes = minFreeBytes
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxBatchSize = maxBatchSize
        self.maxPullLimit = maxPullLimit
        self.maxClockAheadMillis = maxClockAheadMillis
        self.clock = clock
    }
}
