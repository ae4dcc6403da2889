import ArgumentParser

/// The `improve` command line: recording offline, syncing, reviewing. (Commands are added in their own files.)
public struct ImproveCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "improve",
        abstract: "Record quality-improvement data offline, sync it, and review the merged progress.")

    public init() {}
}

extension ImproveCommand {
    /// Entry point for the executable: parses the arguments, runs the command, exits with its code.
    public static func run() async {
        await main()
    }
}
