/// Why a database file could not be opened as an Improve store, in words an operator or a ward
/// nurse can act on: the file, the cause, and the fix.
public struct StoreOpenError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the file.
    public enum Cause: Equatable, Sendable {
        case isFolder
        case notRegularFile
        case folderMissing(String)
        case notPermitted(String)
        case notImproveDatabase(String)
        case newerSchema(format: Int)
    }

    /// The database file as given.
    public let path: String
    /// What is wrong with it.
    public let cause: Cause

    /// The error for `path` and its cause.
    public init(path: String, cause: Cause) {
        self.path = path
        self.cause = cause
    }

    /// The file, the cause and the fix, in one message.
    public var description: String {
        switch cause {
        case .isFolder:
            return "Cannot open the database \(path): it is a folder, not a file. Give the path of the database file "
                + "inside it, not the folder's, or move the folder out of the way."
        case .notRegularFile:
            return "Cannot open the database \(path): it is not a regular file. Give the path of the database file."
        case .folderMissing(let folder):
            return "Cannot open the database \(path): the folder \(folder) does not exist. Create it "
                + "(mkdir -p \(folder)) or correct the path."
        case .notPermitted(let file):
            return "Cannot open the database \(path): \(file) cannot be read and written by this user (permission "
                + "denied). Run as the user that owns the database, or give that user the file and its -wal and "
                + "-shm files (chown)."
        case .notImproveDatabase(let detail):
            return "Cannot open the database \(path): it is not an Improve database (\(detail)). Check the path; if "
                + "it is the right file it is damaged: restore it from a backup."
        case .newerSchema(let format):
            return "Cannot open the database \(path): a newer release of Improve has changed it (store format "
                + "\(format)) in a way this release, \(ImproveVersion.current), cannot use (it knows format "
                + "\(StoreSchema.format)). Run that release or a later one, or restore a backup taken before the upgrade."
        }
    }
}
