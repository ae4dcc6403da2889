import ImprovementCLI
import Testing

@Test func commandParses() throws {
    _ = try ImproveCommand.parseAsRoot([])
}
