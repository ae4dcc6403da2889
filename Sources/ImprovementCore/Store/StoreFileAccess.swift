import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Android)
import Android
#endif

/// Keeps a store's files readable by their owner only: they hold patient and staff stories.
///
/// The database file is created with mode 0600 before SQLite opens it, and SQLite gives the
/// `-wal` and `-shm` files it makes the mode of the database file, so no file of the store is
/// ever readable by others, not even for a moment.
enum StoreFileAccess {
    /// The files SQLite keeps for the database at `path`.
    static func files(of path: String) -> [String] { [path, path + "-wal", path + "-shm"] }

    /// Creates an empty database file with mode 0600 unless one exists (SQLite takes an empty
    /// file for a new database).
    static func createPrivately(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if descriptor >= 0 {
            close(descriptor)
            return
        }
        let code = errno
        guard code != EEXIST else { return }
        throw StoreError.database("the store file \(path) could not be created (\(String(cString: strerror(code))))")
    }

    /// Takes every access of group and others away from the store's files; true when any file
    /// had some. A file this user does not own (or cannot change) is left as it is.
    static func tighten(_ path: String) -> Bool {
        var tightened = false
        for file in files(of: path) {
            var status = stat()
            guard stat(file, &status) == 0 else { continue }
            let mode = status.st_mode & 0o7777
            guard mode & 0o077 != 0 else { continue }
            if chmod(file, mode & 0o700) == 0 { tightened = true }
        }
        return tightened
    }
}
