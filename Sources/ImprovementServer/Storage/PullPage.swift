import ImprovementCore

/// One page of a pull.
package struct PullPage: Sendable {
    /// The changes the page holds, in log order: their positions and ids (the changes themselves
    /// are in `changesAndConflictsJSON`).
    package let changes: [PulledChange]
    package let conflicts: [Conflict]
    package let cursor: Int64
    package let hasMore: Bool
    /// The id of the change log the page was read from (see `logID`).
    package let log: String
    /// The answer's `"changes"` and `"conflicts"` members as UTF-8 JSON
    /// (`{"changes":[…],"conflicts":[…]`), rendered where the page is read: on SQLite that is a
    /// storage thread, so the threads that serve every request only add the page's last few fields.
    package let changesAndConflictsJSON: [UInt8]

    /// A page of the changes `body` holds.
    package init(body: PullPageBody, conflicts: [Conflict], cursor: Int64, hasMore: Bool, log: String) {
        self.changes = body.changes
        self.conflicts = conflicts
        self.cursor = cursor
        self.hasMore = hasMore
        self.log = log
        var out = body.json
        out.append("],\"conflicts\":[")
        for (index, conflict) in conflicts.enumerated() {
            if index > 0 { out.append(",") }
            var text = ""
            conflict.appendJSON(to: &text)
            out.appendJSON(text)
        }
        out.append("]")
        changesAndConflictsJSON = out.bytes
    }

    /// A page of changes read as `RawLoggedChange`s (PostgreSQL).
    package init(changes: [RawLoggedChange], conflicts: [Conflict], cursor: Int64, hasMore: Bool, log: String) {
        var body = PullPageBody(capacity: changes.count)
        for change in changes {
            body.append(
                seq: change.seq, id: change.id, replica: change.replica, type: change.type, entity: change.entity,
                site: change.site, hlc: change.hlc, author: change.author, fieldsJSON: change.fieldsJSON,
                baseJSON: change.baseJSON)
        }
        self.init(body: body, conflicts: conflicts, cursor: cursor, hasMore: hasMore, log: log)
    }
}

/// A change a pull page holds: where it is in the log, and which change it is.
package struct PulledChange: Equatable, Sendable {
    package var seq: Int64
    package var id: String
}

/// A pull page's changes as they are read: their JSON, and which changes they are.
package struct PullPageBody {
    fileprivate var json: JSONBytes
    package private(set) var changes: [PulledChange] = []

    /// - Parameter capacity: the changes expected, when known; a guess only reserves for a few,
    ///   since a thousand live pulls woken by one commit each read a page, most of them empty.
    package init(capacity: Int) {
        json = JSONBytes(reservingCapacity: 64 + capacity * 420)
        json.append("{\"changes\":[")
        changes.reserveCapacity(capacity)
    }

    /// Appends one logged change, from its stored text (`String`s, or a row's column bytes).
    package mutating func append<Text: JSONTextSource>(
        seq: Int64, id: Text, replica: Text, type: Text, entity: Text, site: Text?, hlc: Text, author: Text,
        fieldsJSON: Text, baseJSON: Text
    ) {
        if !changes.isEmpty { json.append(",") }
        ChangeWire.append(
            id: id, replica: replica, type: type, entity: entity, site: site, hlc: hlc, author: author,
            fieldsJSON: fieldsJSON, baseJSON: baseJSON, seq: seq, to: &json)
        changes.append(PulledChange(seq: seq, id: id.withUTF8Bytes { String(decoding: $0, as: UTF8.self) }))
    }

    /// Appends one logged change already rendered as `append` renders it (`RecentChanges`).
    mutating func append(rendered: [UInt8], seq: Int64, id: String) {
        if !changes.isEmpty { json.append(",") }
        rendered.withUnsafeBufferPointer { json.appendJSON($0) }
        changes.append(PulledChange(seq: seq, id: id))
    }

    /// One logged change as `append` renders it into a page.
    static func render<Text: JSONTextSource>(
        seq: Int64, id: Text, replica: Text, type: Text, entity: Text, site: Text?, hlc: Text, author: Text,
        fieldsJSON: Text, baseJSON: Text
    ) -> [UInt8] {
        var json = JSONBytes(reservingCapacity: 420)
        ChangeWire.append(
            id: id, replica: replica, type: type, entity: entity, site: site, hlc: hlc, author: author,
            fieldsJSON: fieldsJSON, baseJSON: baseJSON, seq: seq, to: &json)
        return json.bytes
    }
}
