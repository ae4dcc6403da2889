import ArgumentParser
import Foundation
import ImprovementCore
import ImprovementHTTPTransport

/// `improve init`: creates the store on this device and saves its settings.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Sets this device up: its store, its site, and the sync server with this device's token.",
        discussion: """
            Run it once per device. Running it again changes only the settings you give, so \
            `improve init --token NEW-TOKEN` replaces a withdrawn token. The site need not exist on \
            the device yet: it arrives with the first improve sync. With a server and a token, it \
            asks the server for the account's role and sites (improve sync asks again each time): \
            this device then refuses at once, with the server's words, what the account may not \
            do, such as a member adding a ward. Offline, the device is set up all the same.
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
        // A role learnt for another server or token is not this one's.
        if (server != nil && server != device.config.server) || (token != nil && token != device.config.token) {
            device.config.forgetAccount()
        }
        if let server { device.config.server = server }
        if let token { device.config.token = token }
        if let user { device.config.user = user }
        let accountNote = await learnAccount(&device.config)
        try device.saveConfig()

        Console.line(
            (isNew ? "Set up" : "Updated")
                + " this device (replica \(device.store.replica)) for site \(device.config.site ?? "?").")
        Console.line("Store:    \(device.storePath)")
        Console.line("Settings: \(device.configPath) (readable by you only)")
        if let server = device.config.server {
            Console.line("Server:   \(server)" + (device.config.token == nil ? " (no token yet: add --token)" : ""))
            if let accountNote { Console.line(accountNote) }
            Console.line("Next: improve sync")
        } else {
            Console.line("No sync server yet: the data stays on this device until you add --server URL --token TOKEN.")
        }
    }

    /// Asks the server for the token's account, its role and sites, so this device refuses at
    /// once what the server would refuse. Offline or refused, the device is set up all the same:
    /// the server still judges every change, and improve sync asks again. Returns a line to show.
    private func learnAccount(_ config: inout DeviceConfig) async -> String? {
        guard let serverText = config.server, let url = URL(string: serverText), let token = config.token else {
            return nil
        }
        do {
            guard
                let account = try await ServerAccount.fetch(server: url, token: token, transport: HTTPClientTransport())
            else {
                return "Account:  not known (the server does not say; it checks every change when you sync)"
            }
            config.remember(account)
            var line = "Account:  \(account.user), \(account.scope)"
            if let site = config.site, account.scope.role != .viewer, !account.scope.belongs(to: site) {
                line += ". It does not belong to site \(site): changes for \(site) will be refused"
            }
            return line
        } catch {
            let reason: String
            if case .network(let detail) = error {
                reason = "the server could not be reached (\(detail))."
            } else {
                reason = error.description
            }
            Console.note(
                "Could not ask the server for this device's role and sites: \(reason) The device is set up all the "
                    + "same; the server checks every change, and improve sync asks again.")
            return nil
        }
    }
}
