import ArgumentParser

/// The `improve` command line: recording offline, syncing, reviewing. (Commands are added in their own files.)
public struct ImproveCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "improve",
        abstract: "Record quality-improvement data offline, sync it, and review the merged progress.")

    public init() {}
}
