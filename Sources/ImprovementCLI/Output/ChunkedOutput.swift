import Foundation

/// Writes long output (exports) in chunks, to standard output or to a file that appears only
/// once it is complete (written under a temporary name, then renamed).
final class ChunkedOutput {
    private let handle: FileHandle
    private let path: String?
    private let temporaryPath: String?
    private var buffer = ""

    /// Standard output when `path` is nil, else the file at `path`.
    init(path: String?) throws {
        guard let path else {
            handle = FileHandle.standardOutput
            self.path = nil
            temporaryPath = nil
            return
        }
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporary)
        else {
            throw CLIError("Could not create \(path). Check that the folder exists and that you may write to it.")
        }
        self.handle = handle
        self.path = path
        temporaryPath = temporary
    }

    func write(_ text: String) {
        buffer += text
        if buffer.utf8.count >= 64 * 1024 { flush() }
    }

    /// Writes what is left and, for a file, moves it into place.
    func finish() throws {
        flush()
        guard let path, let temporaryPath else { return }
        try handle.close()
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporaryPath, toPath: path)
        } catch {
            throw CLIError("Could not write \(path): \(error.localizedDescription)")
        }
    }

    /// Removes a partly written file after a failure.
    func discard() {
        guard let temporaryPath else { return }
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }

    private func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer.utf8))
        buffer = ""
    }
}
