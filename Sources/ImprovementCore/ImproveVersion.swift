/// The release of Improve these binaries belong to, and the sync protocol versions they speak.
///
/// One constant for every place that states a version: `--version` of `improve`,
/// `improve-server` and `improve-bench`, the server's `/health` answers, the `User-Agent` of
/// devices, and README. Release notes and upgrade steps refer to it.
public enum ImproveVersion {
    /// The release, as `MAJOR.MINOR.PATCH`. Release 1 is the one whose device store is kept as
    /// `Tests/Fixtures/release-1-device.sqlite`.
    public static let current = "2.0.0"
    /// The sync protocol versions this release speaks, ascending (Protocol/README.md).
    public static let protocolVersions = [1]
    /// What devices send as `User-Agent`, so a server's operator can tell releases apart.
    public static var userAgent: String { "improve/\(current)" }
}
