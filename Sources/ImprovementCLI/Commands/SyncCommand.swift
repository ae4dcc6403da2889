import ArgumentParser
import Foundation
import ImprovementCore
import ImprovementHTTPTransport

/// `improve sync`: sends this device's changes and receives everyone else's.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sends the changes made on this device, then receives the changes made elsewhere.",
        discussion: """
            Changes go in batches and come in pages; an interrupted sync resumes where it stopped and \
            sends or applies nothing twice. When the network or the server fails, sync tries again \
            after 0.5, 1, 2, 4 and 8 seconds (see --retries). It exits with 0 only when everything was \
            exchanged. If the server refuses the changes because this device's clock is ahead, set \
            the clock right and sync again: the waiting changes are re-stamped and sent, nothing is lost. \
            Each sync also asks the server for this device's role and sites again, so a changed role \
            takes effect here too.

            Behind a proxy, set https_proxy (or http_proxy for an http:// server) to \
            http://[USER:PASSWORD@]HOST:PORT or socks5://HOST:PORT, and no_proxy to the hosts to reach \
            directly, as for curl. Redirects are not followed: point the device at the address itself. \
            An https:// server must show a certificate the device trusts; for an organisation's own \
            certificate authority, install it on the device or set SSL_CERT_FILE to its certificate file.
            """)

    @Option(help: "How many times to retry when the network or the server fails.") var retries = 5
    @Option(
        help: ArgumentHelp("The first wait before retrying, in seconds; it doubles each time.", valueName: "seconds"))
    var retryDelay = 0.5
    @Option(help: "Most changes sent per request (1 to 5000).") var batchSize = 2000
    @Option(help: "Most changes received per page (1 to 10000).") var pageSize = 5000
    @Flag(help: "Print a JSON summary instead of progress and a sentence (with --watch: one JSON object per line).")
    var json = false
    @Flag(
        help: ArgumentHelp(
            "Keep syncing until Ctrl-C or SIGTERM: send changes within seconds of their recording, and receive "
                + "others' changes as they are made.",
            discussion: "Prints one line per exchange with the server (\"nothing new\" when a 25-second wait "
                + "passes quietly). When the server or the network is gone it keeps trying, after waits from "
                + "--retry-delay up to 15 seconds (--retries does not apply). Stopping leaves nothing half-done "
                + "and exits with 0; a withdrawn token or a clock far ahead stops it with the usual message."))
    var watch = false
    @OptionGroup var location: StoreLocation

    func validate() throws {
        guard (0...20).contains(retries) else { throw ValidationError("--retries must be between 0 and 20") }
        guard retryDelay >= 0, retryDelay <= 60 else {
            throw ValidationError("--retry-delay must be between 0 and 60 seconds")
        }
        guard (1...5000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 5000") }
        guard (1...10_000).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 10000") }
    }

    func run() async throws {
        var device = try Device.open(location)
        guard let serverText = device.config.server, let server = URL(string: serverText) else {
            throw CLIError(
                "This device has no sync server set up, so there is nothing to sync with. Ask your coordinator for "
                    + "the server address and a token, then run: improve init --server URL --token TOKEN. "
                    + "Everything recorded so far is kept on this device.", exitCode: ExitStatus.notConfigured)
        }
        guard let token = device.config.token else {
            throw CLIError(
                "This device has no token for \(serverText). Ask your coordinator for one, then run: "
                    + "improve init --token TOKEN. Everything recorded so far is kept on this device.",
                exitCode: ExitStatus.notConfigured)
        }
        if watch {
            try await SyncWatch(
                device: device, server: server, token: token, retryDelay: retryDelay, pushBatchSize: batchSize,
                pullPageSize: pageSize, json: json
            ).run()
            return
        }
        let store = device.store
        let pendingBefore = try store.pendingCount()
        let sequenceBefore = try store.lastSequence()
        let session = SyncSession(
            device: device, server: server, token: token, retries: retries, retryDelay: retryDelay,
            pushBatchSize: batchSize, pullPageSize: pageSize,
            progressMode: json ? .silent : (Console.isTerminal ? .bar : .lines))
        let outcome = try await session.run()
        await refreshAccount(&device.config, server: server, token: token)

        let pendingAfter = try store.pendingCount()
        let received = try store.lastSequence() - sequenceBefore
        let openConflicts = try store.recordConflicts(includeResolved: false).count
        let finished = Date()
        device.config.lastSync = NumberText.iso(finished)
        try device.saveConfig()

        let held = outcome.progress?.held ?? 0
        let sent = max(0, pendingBefore - pendingAfter - held)
        let restored = outcome.progress?.serverRestored ?? false
        if json {
            Console.line(
                JSONOut.object([
                    ("sent", .integer(sent)), ("alreadyOnServer", .integer(outcome.progress?.duplicates ?? 0)),
                    ("received", .integer(received)), ("pages", .integer(outcome.progress?.pages ?? 0)),
                    ("restamped", .integer(outcome.restamped)), ("retried", .integer(outcome.retried)),
                    ("pendingChanges", .integer(pendingAfter)), ("openConflicts", .integer(openConflicts)),
                    ("held", .integer(held)), ("serverRestored", .bool(restored)),
                    ("lastSync", .string(device.config.lastSync ?? "")),
                ]).rendered())
        } else {
            var summary =
                "Sync complete: sent \(sent) change\(sent == 1 ? "" : "s"), "
                + "received \(received) new from other devices."
            if restored {
                let recovered = outcome.progress?.pushed ?? 0
                summary +=
                    " The server had been restored from a backup: this device sent everything it had recorded "
                    + "again (\(recovered) change\(recovered == 1 ? " the server had" : "s the server had") lost) "
                    + "and received everything again."
            }
            if openConflicts > 0 {
                summary += " \(openConflicts) open conflict\(openConflicts == 1 ? "" : "s"): see improve conflicts."
            }
            Console.line(summary)
        }
        if held > 0 {
            let tooLarge = outcome.progress?.heldTooLarge ?? 0
            let permissions = "your coordinator can check the account's role and sites"
            let size = "a change too large for the server can be shortened, or the server's --max-body-bytes raised"
            let cause = tooLarge == 0 ? permissions : tooLarge == held ? size : size + "; for the others " + permissions
            throw CLIError(
                "The server refused \(held) change\(held == 1 ? "" : "s"); \(held == 1 ? "it was" : "they were") set "
                    + "aside so everything else could be sent. Nothing is lost: see why with improve held, fix the "
                    + "cause (\(cause)), then improve held release ID.",
                exitCode: ExitStatus.notPermitted)
        }
        if pendingAfter > 0 {
            throw CLIError(
                "\(pendingAfter) change\(pendingAfter == 1 ? " was" : "s were") recorded on this device during the "
                    + "sync and \(pendingAfter == 1 ? "is" : "are") still waiting: run improve sync again to send "
                    + (pendingAfter == 1 ? "it." : "them."), exitCode: ExitStatus.incomplete)
        }
    }

    /// Learns the account's role and sites again, once per sync, so a changed role takes effect on
    /// this device too. A failure changes nothing: the server judges every change anyway.
    private func refreshAccount(_ config: inout DeviceConfig, server: URL, token: String) async {
        guard
            let account = try? await ServerAccount.fetch(server: server, token: token, transport: HTTPClientTransport())
        else { return }
        let before = config.accountScope
        config.remember(account)
        if let before, before != account.scope, !json {
            Console.note("This device's account is now \(account.scope).")
        }
    }
}
