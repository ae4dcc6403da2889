import Foundation
import ImprovementCore

/// An opened device: its store, its settings, and the clock it stamps changes with.
struct Device {
    /// Read by `improve` for tests only: shifts this device's clock by so many seconds, to
    /// reproduce a tablet whose clock is wrong. Never set it in real use.
    static let clockOffsetVariable = "IMPROVE_CLOCK_OFFSET_SECONDS"

    let storePath: String
    let configPath: String
    var config: DeviceConfig
    let store: ImprovementStore
    let clock: PhysicalClock

    /// Opens the store at the location. It must exist unless `create` is set (only `init` creates).
    static func open(
        _ location: StoreLocation, create: Bool = false, replica: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Device {
        let path = location.path(environment: environment)
        let configPath = DeviceConfig.path(forStore: path)
        if !FileManager.default.fileExists(atPath: path) {
            guard create else {
                throw CLIError(
                    "There is no Improve store at \(path) yet. Set this device up first with "
                        + "improve init --site SITE [--server URL --token TOKEN], or point --store "
                        + "(or IMPROVE_STORE) at an existing store.", exitCode: ExitStatus.notConfigured)
            }
            let folder = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw CLIError("Could not create the folder \(folder) for the store: \(error.localizedDescription)")
            }
        }
        let clock = try clock(environment: environment)
        // Read first: the store judges every local write against the account's role and sites.
        let config = try DeviceConfig.load(from: configPath)
        let store: ImprovementStore
        do {
            store = try ImprovementStore(
                path: path, options: StoreOptions(replica: replica, clock: clock, account: config.accountScope))
        } catch let error as StoreError {
            throw CLIError(error.description)
        } catch let error as StoreOpenError {
            throw CLIError(error.description)
        } catch {
            throw CLIError(
                "Could not open the store at \(path) (\(error)). Check that it is an Improve store "
                    + "and that the disk is not full.")
        }
        if store.permissionsTightened {
            Console.note("The store \(path) was readable by other users; it is now readable by you only.")
        }
        if DeviceConfig.tightenPermissions(of: configPath) {
            Console.note(
                "The device settings \(configPath) (with the sync token) were readable by other users; they are now "
                    + "readable by you only.")
        }
        return Device(storePath: path, configPath: configPath, config: config, store: store, clock: clock)
    }

    /// The system clock, shifted by `IMPROVE_CLOCK_OFFSET_SECONDS` when that is set (tests only).
    static func clock(environment: [String: String]) throws -> PhysicalClock {
        guard let text = environment[clockOffsetVariable], !text.isEmpty else { return .system }
        guard let seconds = Double(text), seconds.isFinite else {
            throw CLIError("\(clockOffsetVariable) must be a number of seconds (it is for testing only).")
        }
        let offset = Int64((seconds * 1000).rounded())
        return PhysicalClock { PhysicalClock.system.nowMillis() + offset }
    }

    /// Who changes are recorded as: `--as`, else `$IMPROVE_USER`, else the configured user, else
    /// the login name.
    func author(
        _ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let candidates = [option, environment["IMPROVE_USER"], config.user, environment["USER"], NSUserName()]
        for candidate in candidates {
            if let name = candidate?.trimmingCharacters(in: .whitespaces), !name.isEmpty {
                return String(name.utf8.prefix(200)) ?? name
            }
        }
        return "unknown"
    }

    /// The `--site` a command was given, else this device's site.
    func site(_ option: String?, purpose: String) throws -> String {
        if let option { return option }
        if let site = config.site { return site }
        throw CLIError(
            "No site given for \(purpose), and this device has no default site. Pass --site SITE, or set "
                + "the device's site with improve init --site SITE.", exitCode: ExitStatus.notConfigured)
    }

    /// Writes the device settings back (mode 0600).
    func saveConfig() throws {
        try config.save(to: configPath)
    }
}
