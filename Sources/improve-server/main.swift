import ImprovementServer

await ImproveServerCommand.run()
