import GRDB

/// A change-log row as stored, with its fields and base still canonical JSON text, so the
/// server can send it on without decoding and re-encoding it.
package struct RawLoggedChange: Sendable {
    package var seq: Int64
    package var id: String
    package var replica: String
    package var type: String
    package var entity: String
    package var site: String?
    package var hlc: String
    package var author: String
    package var fieldsJSON: String
    package var baseJSON: String

    package init(
        seq: Int64, id: String, replica: String, type: String, entity: String, site: String?, hlc: String,
        author: String, fieldsJSON: String, baseJSON: String
    ) {
        self.seq = seq
        self.id = id
        self.replica = replica
        self.type = type
        self.entity = entity
        self.site = site
        self.hlc = hlc
        self.author = author
        self.fieldsJSON = fieldsJSON
        self.baseJSON = baseJSON
    }

    /// The change as the protocol writes it; with `includeSeq` the log position is added (pull answers).
    package func appendJSON(to out: inout String, includeSeq: Bool = true) {
        ChangeWire.append(
            id: id, replica: replica, type: type, entity: entity, site: site, hlc: hlc, author: author,
            fieldsJSON: fieldsJSON, baseJSON: baseJSON, seq: includeSeq ? seq : nil, to: &out)
    }
}

extension ImprovementStore {
    /// Up to `limit` changes after `seq` that belong to one of `sites` or to no site (global
    /// definitions); every change when `sites` is nil. `hasMore` tells whether more follow.
    package func rawChanges(
        after seq: Int64, limit: Int, sites: Set<String>?, pendingOnly: Bool = false
    ) throws
        -> (changes: [RawLoggedChange], hasMore: Bool)
    {
        try read { db in try rawChanges(db, after: seq, limit: limit, sites: sites, pendingOnly: pendingOnly) }
    }

    /// `rawChanges(after:limit:sites:pendingOnly:)` inside a read or transaction the caller holds.
    package func rawChanges(
        _ db: Database, after seq: Int64, limit: Int, sites: Set<String>?, pendingOnly: Bool = false
    ) throws
        -> (changes: [RawLoggedChange], hasMore: Bool)
    {
        var sql = "SELECT seq, id, replica, type, entity, site, hlc, author, fields, base FROM changes WHERE seq > ?"
        var arguments: StatementArguments = [seq]
        if pendingOnly {
            sql +=
                " AND replica = ? AND seq > COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pushed_through'), 0)"
            sql += " AND " + Self.notHeld
            arguments += [replica]
        }
        if let sites {
            let sorted = sites.sorted()
            sql += " AND (site IS NULL"
            if !sorted.isEmpty {
                sql += " OR site IN (" + Array(repeating: "?", count: sorted.count).joined(separator: ",") + ")"
                arguments += StatementArguments(sorted)
            }
            sql += ")"
        }
        sql += " ORDER BY seq LIMIT ?"
        arguments += [limit + 1]
        var result: [RawLoggedChange] = []
        result.reserveCapacity(min(limit, 10_000))
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try rows.next() {
            result.append(
                RawLoggedChange(
                    seq: row[0], id: row[1], replica: row[2], type: row[3], entity: row[4], site: row[5],
                    hlc: row[6], author: row[7], fieldsJSON: row[8], baseJSON: row[9]))
        }
        let hasMore = result.count > limit
        if hasMore { result.removeLast() }
        return (result, hasMore)
    }
}
