import ArgumentParser
import ImprovementCore

/// The `improve` command line: recording offline, syncing, reviewing. Each command lives in its
/// own file under Commands/.
public struct ImproveCommand: AsyncParsableCommand {
    /// The command's name, help text and subcommands, grouped as `improve --help` shows them.
    public static let configuration = CommandConfiguration(
        commandName: "improve",
        abstract: "Record quality-improvement data offline, sync it, and review the merged progress.",
        discussion: """
            A ward team's session:

              improve init --site north --server https://improve.example.org --token TOKEN
              improve sync
              improve record falls-rate --unit ward-7 --period 2026-11-16 \\
                  --numerator 3 --denominator 412
              improve observations --measure falls-rate
              improve sync

            Everything is saved on this device first and works without a connection; improve sync \
            exchanges changes with the server when there is one.

            Files: the store (--store, else $IMPROVE_STORE, else $XDG_DATA_HOME/improve/store.sqlite, \
            i.e. ~/.local/share/improve/store.sqlite) and, next to it, STORE.config.json with the \
            server, the token, the default site and user, and the time of the last successful sync. \
            Both are readable by you only (mode 0600); a store or settings file others could read is \
            made so when improve opens it, with a note.

            Environment: IMPROVE_STORE (the store), IMPROVE_USER (who changes are recorded as, unless \
            --as is given), XDG_DATA_HOME. IMPROVE_CLOCK_OFFSET_SECONDS shifts this device's clock and \
            is for testing only.

            Exit codes: 0 done (for sync: everything was exchanged); 1 input or data refused, nothing \
            written; 64 wrong command line; 69 server unreachable or failing after retries; 75 sync \
            stopped part-way for a reason you can fix (device clock, changes made meanwhile), changes \
            kept; 77 token refused, or a change this device's account may not make (refused on the device or by the \
            server); 78 device not set up (no store, server or token).
            """,
        version: ImproveVersion.current,
        groupedSubcommands: [
            CommandGroup(
                name: "Setting up",
                subcommands: [
                    InitCommand.self, SiteCommand.self, UnitCommand.self, ProgrammeCommand.self, MeasureCommand.self,
                    DriverCommand.self,
                ]),
            CommandGroup(
                name: "Recording",
                subcommands: [
                    RecordCommand.self, ImportCommand.self, PDSACommand.self, StoryCommand.self, AnnotateCommand.self,
                    DueCommand.self, EnterCommand.self,
                ]),
            CommandGroup(
                name: "Reviewing",
                subcommands: [
                    ObservationsCommand.self, ExportCommand.self, AnnotationsCommand.self, ConflictsCommand.self,
                    HistoryCommand.self, ChartCommand.self, ProgressCommand.self, QualityCommand.self,
                    ReportCommand.self, CompareCommand.self,
                ]),
            CommandGroup(name: "Syncing", subcommands: [SyncCommand.self, StatusCommand.self, HeldCommand.self]),
        ])

    /// Needed by ArgumentParser, which creates the command.
    public init() {}
}

extension ImproveCommand {
    /// Entry point for the executable: parses the arguments, runs the command, and exits with
    /// its code. Failures the user can act on are printed as one message on standard error.
    public static func run() async {
        await run(arguments: nil)
    }

    static func run(arguments: [String]?) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard let (message, code) = explain(error) else { exit(withError: error) }
            Console.note("Error: " + message)
            exit(withError: ExitCode(code))
        }
    }

    /// The message and exit code of a failure from the store, the sync client or a command;
    /// nil for ArgumentParser's own errors, which it reports itself.
    static func explain(_ error: any Error) -> (String, Int32)? {
        switch error {
        case let error as CLIError: (error.message, error.exitCode)
        case let error as ImprovementCore.ValidationError:
            (error.description + " Nothing was saved.", ExitStatus.failure)
        case let error as StoreError: (error.description, ExitStatus.failure)
        case let error as ImplausibleEntry: (error.description, ExitStatus.failure)
        case let error as WriteRefusal: (error.description, ExitStatus.notPermitted)
        case let error as SyncError: SyncExplanation.explain(error)
        default: nil
        }
    }
}
