import ArgumentParser

@main
struct ImproveBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "improve-bench",
        abstract: "Measures Improve against a raw-SQLite baseline taken in the same run.",
        discussion: """
            Each benchmark prints a short human summary, or one JSON object with --json.
            Build in release mode for figures worth quoting: swift build -c release --product improve-bench
            """,
        subcommands: [StoreBenchmark.self, SyncBenchmark.self, AnalysisBenchmark.self, LiveBenchmark.self])
}
