/// The records a pull page changed, passed to SQLite as one JSON array of `[type, entity]` pairs,
/// so its conflicts are looked up by those records alone.
///
/// Not by the log range the page covers: that range holds every site's changes, and reading it
/// for each pull cost ten times the page once the server held any conflict. The page's own
/// records are the ones its account may see, and at most a page of them.
package struct TouchedRecords: Sendable {
    /// `[["observation","falls/ward-1/2026-06-01"],…]`
    package let json: String

    package init(_ records: some Sequence<(type: String, entity: String)>) {
        var out = JSONBytes()
        out.append("[")
        for (index, record) in records.enumerated() {
            if index > 0 { out.append(",") }
            out.append("[")
            out.appendString(record.type)
            out.append(",")
            out.appendString(record.entity)
            out.append("]")
        }
        out.append("]")
        json = String(decoding: out.bytes, as: UTF8.self)
    }

    /// The records, as rows of `(type, entity)` (one parameter: `json`).
    static let pairs = "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)"
    /// The ids of the resolution records among them (one parameter: `json`).
    static let resolutions =
        "SELECT json_extract(value, '$[1]') FROM json_each(?) WHERE json_extract(value, '$[0]') = 'resolution'"
}
