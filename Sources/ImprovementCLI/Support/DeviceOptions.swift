import ArgumentParser
import Foundation

/// `--store`: which store file a command works on.
struct StoreLocation: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store file.",
            discussion: "Default: $IMPROVE_STORE, else $XDG_DATA_HOME/improve/store.sqlite "
                + "(~/.local/share/improve/store.sqlite).",
            valueName: "path"))
    var store: String?

    /// The store path: `--store`, else `$IMPROVE_STORE`, else the XDG data folder.
    func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let store, !store.isEmpty { return Self.absolute(store) }
        if let store = environment["IMPROVE_STORE"], !store.isEmpty { return Self.absolute(store) }
        let dataHome: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            dataHome = xdg
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            dataHome = (home as NSString).appendingPathComponent(".local/share")
        }
        return (dataHome as NSString).appendingPathComponent("improve/store.sqlite")
    }

    private static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return expanded }
        return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(expanded)
    }
}

/// `--store` and `--as`, for commands that record changes.
struct DeviceOptions: ParsableArguments {
    @OptionGroup var location: StoreLocation

    @Option(
        name: .customLong("as"),
        help: ArgumentHelp(
            "Who the changes are recorded as.",
            discussion: "Default: $IMPROVE_USER, else the user set with improve init --user, else the login name.",
            valueName: "name"))
    var author: String?

    func validate() throws {
        if let author {
            guard !author.trimmingCharacters(in: .whitespaces).isEmpty, author.utf8.count <= 200 else {
                throw ValidationError("--as needs a name of 1 to 200 characters, for example --as nurse.patel")
            }
        }
    }

    /// Opens the device's store (it must exist).
    func open() throws -> Device { try Device.open(location) }
}
