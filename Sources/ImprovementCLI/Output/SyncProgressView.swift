import ImprovementCore

/// Shows a sync's progress: a bar redrawn in place on a terminal, plain lines (one per batch
/// or page) when the output goes to a pipe or a file, nothing at all with `--json`.
///
/// Stateless (everything it shows comes in the reported totals), so it can be called from the
/// sync client's `@Sendable` progress callback.
struct SyncProgressView: Sendable {
    enum Mode: Sendable { case bar, lines, silent }

    let mode: Mode
    /// Changes waiting to be sent when this attempt started.
    let pending: Int

    func begin() {
        if mode == .bar { Console.write("\r" + bar(sent: 0, pulled: 0, pages: 0)) }
    }

    func report(_ progress: SyncClient.Progress) {
        switch mode {
        case .silent: return
        case .bar:
            Console.write(
                "\r" + bar(sent: progress.pushed + progress.duplicates, pulled: progress.pulled, pages: progress.pages))
        case .lines:
            if progress.pages == 0 {
                let sent = progress.pushed + progress.duplicates
                Console.line(
                    "sent \(sent) of \(pending) change\(pending == 1 ? "" : "s") "
                        + "(\(progress.duplicates) already on the server)")
            } else {
                Console.line(
                    "pulled page \(progress.pages): \(progress.pulled) change\(progress.pulled == 1 ? "" : "s") so far")
            }
        }
    }

    func finish() {
        if mode == .bar { Console.write("\n") }
    }

    private func bar(sent: Int, pulled: Int, pages: Int) -> String {
        let width = 24
        let filled = pending == 0 ? width : min(width, sent * width / max(pending, 1))
        let sending =
            "Sending [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            + "] \(sent)/\(pending)"
        let receiving = pages == 0 ? "" : "   Pulling: \(pulled) changes, \(pages) page\(pages == 1 ? "" : "s")"
        return sending + receiving + "  "
    }
}
