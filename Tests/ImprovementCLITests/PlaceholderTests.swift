import ArgumentParser
import ImprovementCLI
import Testing

@Test func commandEntryPointExists() async throws {
    // Replaced by the CLI's real tests.
    #expect(ImproveCommand.configuration.commandName == "improve")
}
