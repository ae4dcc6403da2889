import Foundation
import GRDB
import ImprovementCore

extension SQLiteSyncStorage {
    package func heartbeat() async throws {
        try await BlockingWork.write { [store] in
            try store.writeDatabase { db in
                try db.execute(
                    sql:
                        "INSERT INTO meta (key, value) VALUES ('heartbeat', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    arguments: [String(Int64(Date().timeIntervalSince1970 * 1000))])
            }
        }
    }

    package var localFolder: String? {
        store.path.map { path in
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            return (absolute as NSString).deletingLastPathComponent
        }
    }
}
