/// Why a request body could not be read as the protocol says, with the path of the offending key.
package struct WireDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    package let path: String
    package let reason: String

    package init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    package var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

/// Changes on the wire: strict decoding from parsed JSON and canonical encoding to text.
package enum ChangeWire {
    private static let keys: Set<String> = [
        "id", "replica", "type", "entity", "site", "hlc", "author", "fields", "base",
    ]

    /// Reads one change; with `allowSeq` the server's `seq` key is accepted and returned.
    package static func change(
        from value: JSONValue, path: String, allowSeq: Bool = false
    ) throws(WireDecodingError)
        -> (change: Change, seq: Int64?)
    {
        guard case .object(let object) = value else {
            throw WireDecodingError(path: path, reason: "must be an object, not \(value.typeName)")
        }
        for key in object.keys where !keys.contains(key) && !(allowSeq && key == "seq") {
            throw WireDecodingError(path: path + "." + key, reason: "is not a field of a change")
        }
        func string(_ key: String) throws(WireDecodingError) -> String {
            guard let field = object[key] else {
                throw WireDecodingError(path: path + "." + key, reason: "is required")
            }
            guard case .string(let text) = field else {
                throw WireDecodingError(path: path + "." + key, reason: "must be a string, not \(field.typeName)")
            }
            return text
        }
        let stamp = try string("hlc")
        guard let hlc = HLC(stamp) else {
            throw WireDecodingError(
                path: path + ".hlc", reason: "\"\(stamp)\" is not a clock stamp (16 digits-5 digits-replica)")
        }
        var site: String?
        switch object["site"] {
        case nil, .null?: site = nil
        case .string(let text)?: site = text
        case let other?:
            throw WireDecodingError(path: path + ".site", reason: "must be a string or null, not \(other.typeName)")
        }
        guard case .object(let rawFields)? = object["fields"] else {
            throw WireDecodingError(
                path: path + ".fields", reason: object["fields"] == nil ? "is required" : "must be an object")
        }
        var fields: FieldMap = [:]
        fields.reserveCapacity(rawFields.count)
        for (name, raw) in rawFields {
            switch raw {
            case .null: fields[name] = .null
            case .bool(let flag): fields[name] = .bool(flag)
            case .number(let number): fields[name] = .number(number)
            case .string(let text): fields[name] = .text(text)
            default:
                throw WireDecodingError(
                    path: path + ".fields." + name, reason: "must be null, true/false, a number or a string")
            }
        }
        var base: [String: HLC?] = [:]
        switch object["base"] {
        case nil, .null?: break
        case .object(let rawBase)?:
            for (name, raw) in rawBase {
                switch raw {
                case .null: base[name] = .some(nil)
                case .string(let text):
                    guard let version = HLC(text) else {
                        throw WireDecodingError(
                            path: path + ".base." + name, reason: "\"\(text)\" is not a clock stamp")
                    }
                    base[name] = .some(version)
                default:
                    throw WireDecodingError(path: path + ".base." + name, reason: "must be a clock stamp or null")
                }
            }
        case let other?:
            throw WireDecodingError(path: path + ".base", reason: "must be an object, not \(other.typeName)")
        }
        var seq: Int64?
        if allowSeq, let raw = object["seq"] {
            guard case .number(let number) = raw, number >= 0, number == number.rounded(), number < 9e15 else {
                throw WireDecodingError(path: path + ".seq", reason: "must be a whole number")
            }
            seq = Int64(number)
        }
        let change = Change(
            id: try string("id"), replica: try string("replica"), type: try string("type"),
            entity: try string("entity"),
            site: site, hlc: hlc, author: try string("author"), fields: fields, base: base)
        return (change, seq)
    }

    /// Appends the canonical JSON of a change (sorted keys), with the server's `seq` when given.
    package static func append(_ change: Change, seq: Int64? = nil, to out: inout String) {
        append(
            id: change.id, replica: change.replica, type: change.type, entity: change.entity, site: change.site,
            hlc: change.hlc.description, author: change.author, fieldsJSON: change.fieldsJSON,
            baseJSON: change.baseJSON, seq: seq, to: &out)
    }

    /// Appends a change whose fields and base are already canonical JSON text (as the log stores them).
    package static func append(
        id: String, replica: String, type: String, entity: String, site: String?, hlc: String, author: String,
        fieldsJSON: String, baseJSON: String, seq: Int64?, to out: inout String
    ) {
        var bytes = JSONBytes(reservingCapacity: 160 + fieldsJSON.utf8.count + baseJSON.utf8.count)
        append(
            id: id, replica: replica, type: type, entity: entity, site: site, hlc: hlc, author: author,
            fieldsJSON: fieldsJSON, baseJSON: baseJSON, seq: seq, to: &bytes)
        out += String(decoding: bytes.bytes, as: UTF8.self)
    }

    /// The one rendering of a change's keys, in canonical (sorted) order, from text of any source:
    /// `String`s, or a log row's column bytes as SQLite hands them out.
    package static func append<Text: JSONTextSource>(
        id: Text, replica: Text, type: Text, entity: Text, site: Text?, hlc: Text, author: Text,
        fieldsJSON: Text, baseJSON: Text, seq: Int64?, to out: inout JSONBytes
    ) {
        out.append("{\"author\":")
        out.appendString(author)
        out.append(",\"base\":")
        out.appendJSON(baseJSON)
        out.append(",\"entity\":")
        out.appendString(entity)
        out.append(",\"fields\":")
        out.appendJSON(fieldsJSON)
        out.append(",\"hlc\":")
        out.appendString(hlc)
        out.append(",\"id\":")
        out.appendString(id)
        out.append(",\"replica\":")
        out.appendString(replica)
        if let seq {
            out.append(",\"seq\":")
            out.appendInteger(seq)
        }
        out.append(",\"site\":")
        if let site { out.appendString(site) } else { out.append("null") }
        out.append(",\"type\":")
        out.appendString(type)
        out.append("}")
    }
}

extension Conflict {
    /// Appends the conflict as the protocol describes it.
    package func appendJSON(to out: inout String) {
        func side(_ side: Side) {
            out += "{\"author\":"
            CanonicalJSON.appendString(side.author, to: &out)
            out += ",\"hlc\":"
            CanonicalJSON.appendString(side.hlc.description, to: &out)
            out += ",\"replica\":"
            CanonicalJSON.appendString(side.replica, to: &out)
            out += ",\"value\":"
            CanonicalJSON.append(side.value, to: &out)
            out += "}"
        }
        out += "{\"entity\":"
        CanonicalJSON.appendString(entity, to: &out)
        out += ",\"field\":"
        CanonicalJSON.appendString(field, to: &out)
        out += ",\"id\":"
        CanonicalJSON.appendString(id, to: &out)
        out += ",\"kind\":"
        CanonicalJSON.appendString(kind.rawValue, to: &out)
        out += ",\"loser\":"
        side(loser)
        out += ",\"resolution\":"
        if let resolution { CanonicalJSON.appendString(resolution.rawValue, to: &out) } else { out += "null" }
        out += ",\"resolved\":"
        out += isResolved ? "true" : "false"
        out += ",\"site\":"
        if let site { CanonicalJSON.appendString(site, to: &out) } else { out += "null" }
        out += ",\"type\":"
        CanonicalJSON.appendString(type, to: &out)
        out += ",\"winner\":"
        side(winner)
        out += "}"
    }
}
