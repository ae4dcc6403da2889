import GRDB
import ImprovementCore

extension ImprovementStore {
    /// Conflict records (open or settled) of records changed in the log range (after, through],
    /// and those named by resolutions in that range, limited to `sites` (plus global records)
    /// unless `sites` is nil; ordered by the losing write's clock, then id. Read in `db`, inside
    /// the read the caller holds (a pull page's snapshot).
    static func conflicts(
        _ db: Database, changedAfter after: Int64, through: Int64, sites: Set<String>?
    ) throws
        -> [Conflict]
    {
        // Most pages touch no record with a conflict; with none at all there is nothing to look up.
        // A settled conflict may live on only as its resolution record, so both tables count.
        let anyConflict = "SELECT EXISTS (SELECT 1 FROM conflicts) OR EXISTS (SELECT 1 FROM resolution)"
        guard try Bool.fetchOne(db.cachedStatement(sql: anyConflict)) == true else { return [] }
        let touched = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT DISTINCT type, entity FROM changes WHERE seq > ? AND seq <= ?"),
            arguments: [after, through])
        var entities: Set<String> = []
        var resolutions: Set<String> = []
        for row in touched {
            let type: String = row[0]
            let entity: String = row[1]
            entities.insert(type + "\u{0}" + entity)
            if type == EntityType.resolution.name { resolutions.insert(entity) }
        }
        return try ConflictQueries.list(db, includeResolved: true, touched: (after, through)).filter { conflict in
            if let sites, let site = conflict.site, !sites.contains(site) { return false }
            return entities.contains(conflict.type + "\u{0}" + conflict.entity) || resolutions.contains(conflict.id)
        }.sorted { ($0.loser.hlc, $0.id) < ($1.loser.hlc, $1.id) }
    }
}
