import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Android)
import Android
#endif

/// The checks around opening a store's file, so that what SQLite would report as "error 26" or
/// "unable to open database file" reaches the person as the file, the cause and the fix.
enum StoreOpening {
    /// Refuses, before SQLite sees it, a path that cannot be a store: a folder, a missing folder,
    /// files this user may not read and write.
    static func checkPath(_ path: String) throws(StoreOpenError) {
        var status = stat()
        if stat(path, &status) == 0 {
            let kind = status.st_mode & S_IFMT
            if kind == S_IFDIR { throw StoreOpenError(path: path, cause: .isFolder) }
            guard kind == S_IFREG else { throw StoreOpenError(path: path, cause: .notRegularFile) }
        } else {
            let folder = (path as NSString).deletingLastPathComponent
            var folderStatus = stat()
            if !folder.isEmpty, stat(folder, &folderStatus) != 0 {
                throw StoreOpenError(path: path, cause: .folderMissing(folder))
            }
        }
        for file in StoreFileAccess.files(of: path) where access(file, F_OK) == 0 {
            if access(file, R_OK | W_OK) != 0, errno == EACCES || errno == EPERM || errno == EROFS {
                throw StoreOpenError(path: path, cause: .notPermitted(file))
            }
        }
    }

    /// The error to report for a failure while opening or migrating the file at `path`.
    static func explain(_ error: any Error, path: String) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode.primaryResultCode {
        case .SQLITE_NOTADB:
            return StoreOpenError(path: path, cause: .notImproveDatabase("SQLite: file is not a database"))
        case .SQLITE_CORRUPT:
            return StoreOpenError(path: path, cause: .notImproveDatabase("SQLite: the file is corrupt"))
        case .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_CANTOPEN:
            return StoreOpenError(path: path, cause: .notPermitted(path))
        default:
            return error
        }
    }

    /// The `meta` key holding the lowest store format a binary must know to use the file; absent
    /// means format 1. Only a migration that older releases cannot live with raises it.
    static let formatKey = "format_required"

    /// Refuses a database that is some other program's (tables, but none of the store's
    /// migrations), a server's opened as a device's, or one a newer release changed in a way this
    /// one cannot use (`format_required` above `StoreSchema.format`).
    static func checkSchema(_ database: any DatabaseWriter, migrator: DatabaseMigrator, path: String) throws {
        try database.read { db in
            let migrated = try db.tableExists("grdb_migrations")
            if !migrated {
                let tables = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'") ?? 0
                if tables > 0 {
                    throw StoreOpenError(
                        path: path,
                        cause: .notImproveDatabase(
                            "a SQLite database of another program: it has tables but none of Improve's"))
                }
                return
            }
            let known = Set(migrator.migrations)
            let unknown = try migrator.appliedIdentifiers(db).subtracting(known)
            if !unknown.isEmpty, unknown.allSatisfy({ $0.hasPrefix("server-") }) {
                throw StoreOpenError(
                    path: path, cause: .notImproveDatabase("it is a sync server's database, not a device's store"))
            }
            // Steps a newer release added are fine (they only add, so a rolled-back binary keeps
            // working); a release that changes the file so older ones must not use it says so here.
            if try db.tableExists("meta"),
                let text = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [formatKey]),
                let required = Int(text), required > StoreSchema.format
            {
                throw StoreOpenError(path: path, cause: .newerSchema(format: required))
            }
        }
    }
}
