import ImprovementCLI

await ImproveCommand.run()
