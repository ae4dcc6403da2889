import ArgumentParser
import Foundation
import ImprovementCore

/// `improve init`: creates the store on this device and saves its settings.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Sets this device up: its store, its site, and the sync server with this device's token.",
        discussion: """
            Run it once per device. Running it again changes only the settings you give, so \
            `improve init --token NEW-TOKEN` replaces a withdrawn token. The site need not exist on \
            the device yet: it arrives with the first improve sync.
            """)

    @OptionGroup var location: StoreLocation

    @Option(help: "The site this device records for (the default of every --site option).")
    var site: String?

    @Option(help: ArgumentHelp("The sync server's address.", valueName: "url"))
    var server: String?

    @Option(help: "This device's token from the server (improve-server user add prints it).")
    var token: String?

    @Option(help: "Who changes are recorded as on this device, unless --as or $IMPROVE_USER says otherwise.")
    var user: String?

    @Option(help: "A replica id for a new store (a-z, 0-9 and -); a random one by default.")
    var replica: String?

    func validate() throws {
        try Input.id(site, field: "site")
        if let server {
            guard let url = URL(string: server), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", url.host != nil
            else {
                throw ValidationError(
                    "--server must be the server's address, such as https://improve.example.org (got \"\(server)\")")
            }
        }
        if let token { try Input.text(token, option: "--token", example: "imp_...") }
        if let user {
            guard !user.trimmingCharacters(in: .whitespaces).isEmpty, user.utf8.count <= 200 else {
                throw ValidationError("--user needs a name of 1 to 200 characters, for example --user nurse.patel")
            }
        }
        if let replica, !ReplicaID.isValid(replica) {
            throw ValidationError("--replica must be 1 to 64 characters of a-z, 0-9 and -, for example ward7-tablet")
        }
    }

    func run() async throws {
        let path = location.path()
        let existingConfig = try DeviceConfig.load(from: DeviceConfig.path(forStore: path))
        guard site != nil || existingConfig.site != nil else {
            throw CLIError(
                "Say which site this device records for: improve init --site SITE (for example --site north).",
                exitCode: ExitStatus.usage)
        }
        let isNew = !FileManager.default.fileExists(atPath: path)
        var device = try Device.open(location, create: true, replica: replica)
        if let site { device.config.site = site }
        if let server { device.config.server = server }
        if let token { device.config.token = token }
        if let user { device.config.user = user }
        try device.saveConfig()

        Console.line(
            (isNew ? "Set up" : "Updated")
                + " this device (replica \(device.store.replica)) for site \(device.config.site ?? "?").")
        Console.line("Store:    \(device.storePath)")
        Console.line("Settings: \(device.configPath) (readable by you only)")
        if let server = device.config.server {
            Console.line("Server:   \(server)" + (device.config.token == nil ? " (no token yet: add --token)" : ""))
            Console.line("Next: improve sync")
        } else {
            Console.line("No sync server yet: the data stays on this device until you add --server URL --token TOKEN.")
        }
    }
}
