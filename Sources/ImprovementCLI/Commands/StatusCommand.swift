import ArgumentParser
import ImprovementCore

/// `improve status`: this device, its server, and what waits to be exchanged.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Shows this device's store, site and server, and what waits to be synced.")

    @OptionGroup var format: OutputFormat
    @OptionGroup var location: StoreLocation

    func run() throws {
        let device = try Device.open(location)
        let pending = try device.store.pendingCount()
        let held = try device.store.heldChanges().count
        let openConflicts = try device.store.recordConflicts(includeResolved: false).count
        let cursor = try device.store.pullCursor()
        let config = device.config
        let json = JSONOut.object([
            ("replica", .string(device.store.replica)), ("store", .string(device.storePath)),
            ("site", .text(config.site)), ("server", .text(config.server)), ("user", .string(device.author(nil))),
            ("pendingChanges", .integer(pending)), ("lastSync", .text(config.lastSync)),
            ("openConflicts", .integer(openConflicts)), ("pullCursor", .integer(cursor)),
            ("heldChanges", .integer(held)), ("role", .text(config.accountScope?.role.rawValue)),
            ("sites", config.accountScope.map { JSONOut.array($0.sites.sorted().map(JSONOut.string)) } ?? .null),
        ])
        var details = Details()
        details.add("device", "replica \(device.store.replica), recording as \(device.author(nil))")
        details.add("store", device.storePath)
        details.add("site", config.site ?? "(none: improve init --site SITE)")
        details.add(
            "server",
            config.server.map { $0 + (config.token == nil ? " (no token: improve init --token TOKEN)" : "") }
                ?? "(none: improve init --server URL --token TOKEN)")
        if config.server != nil {
            details.add(
                "account",
                config.accountScope.map { "\(config.account ?? "?"), \($0): changes it may not make are refused here" }
                    ?? "role not known yet: the server checks every change (improve sync asks it)")
        }
        details.add("to send", pending == 0 ? "nothing" : "\(pending) change\(pending == 1 ? "" : "s")")
        if held > 0 {
            details.add("set aside", "\(held) change\(held == 1 ? "" : "s") the server refused (improve held)")
        }
        details.add("last sync", config.lastSync ?? "never")
        details.add("conflicts", openConflicts == 0 ? "none open" : "\(openConflicts) open (improve conflicts)")
        format.print(json, text: details.text)
    }
}
