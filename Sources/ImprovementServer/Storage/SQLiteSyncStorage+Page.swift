import GRDB
import ImprovementCore

extension SQLiteSyncStorage {
    /// Lets a pull read only the changes of the sites its account may see. Without it every pull
    /// stepped through every site's changes since its cursor: with 20 sites, twenty rows read for
    /// each one sent.
    static let changesBySiteMigration = ExtraMigration(identifier: "server-changes-by-site-v1") { db in
        try db.execute(sql: "CREATE INDEX server_changes_by_site ON changes (site, seq)")
    }

    /// Up to this many sites, a pull merges one index range per site (SQLite's compound-select
    /// merge, which stops at the page's end); beyond it the account sees most of the log anyway,
    /// and one pass along the log in order is cheaper.
    static let mergedSitesLimit = 32

    /// At most this many changes are read into `recent` by a pull answered on its request's own
    /// task (one group commit is 300); beyond it the pull goes to the read queue.
    static let inlineCatchUp: Int64 = 1_000

    /// A pull page as `db` sees it: changes, the conflicts of the records they touch, the log id.
    /// Made from `recent` when it holds the page's changes (first adding what `db` holds beyond
    /// it), else read from the log; nil when it would have to read the log (or more than
    /// `inlineCatchUp` changes) and `readingTheLog` is false.
    static func page(
        _ db: Database, after cursor: Int64, limit: Int, for account: Account, recent: RecentChanges,
        readingTheLog: Bool
    ) throws -> PullPage? {
        let log = try logID(db)
        let last = try ImprovementStore.lastSequence(db)
        if !readingTheLog && recent.behind(last) > inlineCatchUp { return nil }
        if case .catchUp(let after) = recent.readiness(log: log, last: last) {
            do {
                recent.add(try recentEntries(db, after: after, through: last), after: after, through: last, log: log)
            } catch {
                recent.abandonCatchUp()
                throw error
            }
        }
        let holdsConflicts = try ImprovementStore.holdsConflicts(db)
        guard
            let made = recent.page(
                after: cursor, through: last, log: log, limit: limit, sites: account.visibleSites,
                touched: holdsConflicts)
        else {
            guard readingTheLog else { return nil }
            return try databasePage(
                db, after: cursor, limit: limit, for: account, known: (log: log, holdsConflicts: holdsConflicts))
        }
        let conflicts =
            holdsConflicts
            ? try ImprovementStore.conflicts(db, touching: made.touched, sites: account.visibleSites) : []
        return PullPage(
            body: made.body, conflicts: conflicts, cursor: made.body.changes.last?.seq ?? cursor, hasMore: made.hasMore,
            log: log)
    }

    /// A pull page as `db` sees it, from `recent` when it can, else from the log.
    static func page(
        _ db: Database, after cursor: Int64, limit: Int, for account: Account, recent: RecentChanges
    ) throws -> PullPage {
        // With the log to read, there is always a page.
        try page(db, after: cursor, limit: limit, for: account, recent: recent, readingTheLog: true)!
    }

    /// The log's changes after `after` through `last`, rendered for `RecentChanges`.
    private static func recentEntries(
        _ db: Database, after: Int64, through last: Int64
    ) throws -> [RecentChanges.Entry] {
        let statement = try RawStatement(
            db, sql: "SELECT \(pageColumns) FROM changes WHERE seq > ? AND seq <= ? ORDER BY seq")
        statement.bind(1, after)
        statement.bind(2, last)
        var entries: [RecentChanges.Entry] = []
        entries.reserveCapacity(Int(min(last - after, 1000)))
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)  // NOT NULL columns are never nil
        while try statement.step() {
            let seq = statement.int(0)
            let id = statement.text(1) ?? ""
            let json = PullPageBody.render(
                seq: seq, id: statement.bytes(1) ?? empty, replica: statement.bytes(2) ?? empty,
                type: statement.bytes(3) ?? empty, entity: statement.bytes(4) ?? empty, site: statement.bytes(5),
                hlc: statement.bytes(6) ?? empty, author: statement.bytes(7) ?? empty,
                fieldsJSON: statement.bytes(8) ?? empty, baseJSON: statement.bytes(9) ?? empty)
            entries.append(
                RecentChanges.Entry(
                    seq: seq, site: statement.text(5), type: statement.text(3) ?? "", entity: statement.text(4) ?? "",
                    id: id, json: json))
        }
        return entries
    }

    /// A pull page read from the log itself, as `db` sees it; `known` passes what the caller
    /// already read in the same snapshot.
    static func databasePage(
        _ db: Database, after cursor: Int64, limit: Int, for account: Account,
        known: (log: String, holdsConflicts: Bool)? = nil
    ) throws -> PullPage {
        let sites = account.visibleSites.map { $0.sorted() }
        let statement = try RawStatement(db, sql: pageSQL(sites: sites))
        var parameter: Int32 = 0
        func next() -> Int32 {
            parameter += 1
            return parameter
        }
        if let sites, sites.count <= mergedSitesLimit {
            for site in sites {
                statement.bind(next(), site)
                statement.bind(next(), cursor)
            }
            statement.bind(next(), cursor)  // the global definitions' range
        } else {
            statement.bind(next(), cursor)
            for site in sites ?? [] { statement.bind(next(), site) }
        }
        statement.bind(next(), Int64(limit) + 1)

        var body = PullPageBody(capacity: min(limit, 8))
        var hasMore = false
        // The records the page changes, kept only when there are conflicts to look them up in.
        let holdsConflicts = try known?.holdsConflicts ?? ImprovementStore.holdsConflicts(db)
        var touched: [(type: String, entity: String)]? = holdsConflicts ? [] : nil
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)  // NOT NULL columns are never nil
        while try statement.step() {
            guard body.changes.count < limit else {
                hasMore = true
                statement.reset()
                break
            }
            body.append(
                seq: statement.int(0), id: statement.bytes(1) ?? empty, replica: statement.bytes(2) ?? empty,
                type: statement.bytes(3) ?? empty, entity: statement.bytes(4) ?? empty, site: statement.bytes(5),
                hlc: statement.bytes(6) ?? empty, author: statement.bytes(7) ?? empty,
                fieldsJSON: statement.bytes(8) ?? empty, baseJSON: statement.bytes(9) ?? empty)
            touched?.append((statement.text(3) ?? "", statement.text(4) ?? ""))
        }
        let newCursor = body.changes.last?.seq ?? cursor
        let conflicts = try ImprovementStore.conflicts(db, touching: touched ?? [], sites: account.visibleSites)
        return PullPage(
            body: body, conflicts: conflicts, cursor: newCursor, hasMore: hasMore, log: try known?.log ?? logID(db))
    }

    private static let pageColumns = "seq, id, replica, type, entity, site, hlc, author, fields, base"

    /// The page query for an account seeing `sites` (nil: every site). Its parameters, in order:
    /// for a merge, each site then the cursor, then the cursor again (global definitions); for
    /// one pass, the cursor then each site; and last the row limit.
    private static func pageSQL(sites: [String]?) -> String {
        let columns = pageColumns
        guard let sites else { return "SELECT \(columns) FROM changes WHERE seq > ? ORDER BY seq LIMIT ?" }
        if sites.count <= mergedSitesLimit {
            // Each range comes from the index in log order; the compound select merges them.
            let ranges =
                Array(repeating: "SELECT \(columns) FROM changes WHERE site = ? AND seq > ?", count: sites.count)
                + ["SELECT \(columns) FROM changes WHERE site IS NULL AND seq > ?"]
            return ranges.joined(separator: " UNION ALL ") + " ORDER BY seq LIMIT ?"
        }
        // NOT INDEXED: the site index would have SQLite gather and sort every matching row first.
        let list = Array(repeating: "?", count: sites.count).joined(separator: ",")
        return "SELECT \(columns) FROM changes NOT INDEXED WHERE seq > ? AND (site IS NULL OR site IN (\(list)))"
            + " ORDER BY seq LIMIT ?"
    }
}
