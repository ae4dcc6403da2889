import ArgumentParser

struct RestoredCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restored",
        abstract: "Run once after restoring the database from a backup, before starting the servers again.",
        discussion: """
            A backup lacks the changes the server accepted after it was taken, and the devices that \
            sent them have marked them sent. This gives the change log a new id: each device that \
            syncs next sees it, sends every change it made again (the ones the server still holds \
            count as duplicates) and pulls from the start, so nothing is lost. Stop every server \
            process sharing the database first.
            """)

    @OptionGroup var storage: DatabaseOption

    func run() async throws {
        let id = try await storage.withStorage { try await $0.renewLogID() }
        print("The change log now has the id \(id): devices will send their changes again at their next sync.")
    }
}
