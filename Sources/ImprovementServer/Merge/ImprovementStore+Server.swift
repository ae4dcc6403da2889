import GRDB
import ImprovementCore

extension ImprovementStore {
    /// Whether the server holds any conflict at all, open or settled (a settled one may live on
    /// only as its resolution record): most servers most of the time hold none, and a pull page
    /// then has none to look up.
    static func holdsConflicts(_ db: Database) throws -> Bool {
        let sql = "SELECT EXISTS (SELECT 1 FROM conflicts) OR EXISTS (SELECT 1 FROM resolution)"
        return try Bool.fetchOne(db.cachedStatement(sql: sql)) == true
    }

    /// Conflict records (open or settled) of the records a pull page changed, and those named by
    /// the resolutions among its changes, limited to `sites` (plus global records) unless `sites`
    /// is nil; ordered by the losing write's clock, then id. Read in `db`, inside the read the
    /// caller holds (the page's snapshot).
    static func conflicts(
        _ db: Database, touching records: [(type: String, entity: String)], sites: Set<String>?
    ) throws
        -> [Conflict]
    {
        guard !records.isEmpty else { return [] }
        return try ConflictQueries.list(db, includeResolved: true, touched: TouchedRecords(records)).filter {
            conflict in
            guard let sites, let site = conflict.site else { return true }
            return sites.contains(site)
        }.sorted { ($0.loser.hlc, $0.id) < ($1.loser.hlc, $1.id) }
    }
}
