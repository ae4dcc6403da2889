/// Exit codes of `improve` (also listed in `improve --help`).
enum ExitStatus {
    /// Everything asked for was done (for `sync`: everything was exchanged).
    static let success: Int32 = 0
    /// The input or the data was refused; nothing was written.
    static let failure: Int32 = 1
    /// The command line itself was wrong (ArgumentParser's usage errors).
    static let usage: Int32 = 64
    /// The server could not be reached, or failed, even after retrying.
    static let unavailable: Int32 = 69
    /// Sync stopped part-way for a reason the user can fix (clock, new changes); changes stay queued.
    static let incomplete: Int32 = 75
    /// The server refused this device's token (401), or a change this account may not make (403, or
    /// refused on the device itself before it was saved).
    static let notPermitted: Int32 = 77
    /// The device is not set up for what was asked (no store, no server or token).
    static let notConfigured: Int32 = 78
}

/// A failure the command line reports in words: what was wrong and how to fix it.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32

    init(_ message: String, exitCode: Int32 = ExitStatus.failure) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}
