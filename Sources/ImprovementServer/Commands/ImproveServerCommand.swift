import ArgumentParser
import ImprovementCore

/// `improve-server`'s command tree; the executable only calls `run()`.
package struct ImproveServerCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "improve-server",
        abstract: "The Improve sync server: devices push the changes they recorded offline and pull everyone else's.",
        discussion: "The wire protocol is described in Protocol/README.md; operating notes are in Server/.",
        version: ImproveVersion.current,
        subcommands: [ServeCommand.self, UserCommand.self, RestoredCommand.self])

    package init() {}

    /// Parses the process's arguments and runs the command they name, exiting as ArgumentParser does.
    package static func run() async {
        await main()
    }
}
