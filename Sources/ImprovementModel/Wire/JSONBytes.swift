/// JSON written straight into UTF-8 bytes.
///
/// A pull answer is mostly stored text passed on: a hundred changes of ten strings each. Making
/// a `String` of every column and appending them one by one cost more than reading the rows;
/// here the stored bytes are copied once, escaped on the way when they must be.
package struct JSONBytes: Sendable {
    package private(set) var bytes: [UInt8] = []

    package init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends JSON syntax or text known to need no escaping (keys, punctuation).
    package mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends text that is already JSON (stored canonical JSON, a rendered value).
    package mutating func appendJSON(_ text: some JSONTextSource) {
        text.withUTF8Bytes { bytes.append(contentsOf: $0) }
    }

    /// Appends `text` as a quoted JSON string, escaped exactly as `CanonicalJSON.appendString`
    /// escapes it, so both renderings of a change are the same bytes.
    package mutating func appendString(_ text: some JSONTextSource) {
        text.withUTF8Bytes { source in
            bytes.append(UInt8(ascii: "\""))
            var clean = 0  // bytes of `source` before `clean` that are copied as they are
            for index in source.indices {
                let byte = source[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[clean..<index]))
                clean = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(Self.hexDigits[Int(byte >> 4)])
                    bytes.append(Self.hexDigits[Int(byte & 0xF)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[clean...]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    package mutating func appendInteger(_ number: Int64) {
        bytes.append(contentsOf: String(number).utf8)  // a log position fits a small string: no allocation
    }

    /// Appends bytes written elsewhere as JSON.
    package mutating func append(contentsOf other: JSONBytes) {
        bytes.append(contentsOf: other.bytes)
    }
}

/// Text `JSONBytes` can read as UTF-8 without copying it first: a `String`, or a column's bytes
/// as SQLite hands them out (valid until the statement steps again).
package protocol JSONTextSource {
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result
}

extension String: JSONTextSource {
    package func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        // Bridged or lazily stored text has no contiguous UTF-8; a copy does.
        var copy = self
        return try copy.withUTF8(body)
    }
}

extension UnsafeBufferPointer: JSONTextSource where Element == UInt8 {
    package func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(self)
    }
}
