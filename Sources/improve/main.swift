import ImprovementCLI

await ImproveCommand.main()
