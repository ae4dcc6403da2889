import ImprovementCore

/// What a failed sync means for the person holding the device, and the exit code for it.
enum SyncExplanation {
    static let changesKept = "Your changes are kept on this device."

    static func explain(_ error: SyncError) -> (String, Int32) {
        switch error {
        case .unauthorized:
            return (
                error.description + " Save the new token with: improve init --token NEW-TOKEN, then run improve sync. "
                    + changesKept, ExitStatus.notPermitted
            )
        case .forbidden(let message):
            return (
                "The server refused a change this account may not make: \(message) \(changesKept) Ask your "
                    + "coordinator to check your account's role and sites (improve status shows this device's site), "
                    + "or to make that change for you.", ExitStatus.notPermitted
            )
        case .unsupportedProtocol(let message):
            return (
                "This version of improve and the server do not speak the same protocol version. Update improve on "
                    + "this device (or ask whoever runs the server). \(changesKept) Server: \(message)",
                ExitStatus.unavailable
            )
        case .clockSkew(let message, _):
            return (
                message + " Then run improve sync again: the changes waiting on this device are re-stamped and sent.",
                ExitStatus.incomplete
            )
        case .network, .server:
            return (error.description, ExitStatus.unavailable)
        case .changeRefused(_, let code, let message):
            return (
                "The server refused a change (\(code)): \(message) \(changesKept) See improve held.",
                code == "forbidden" ? ExitStatus.notPermitted : ExitStatus.failure
            )
        case .refused, .badResponse, .pushTooLarge:
            return (error.description, ExitStatus.failure)
        }
    }
}
