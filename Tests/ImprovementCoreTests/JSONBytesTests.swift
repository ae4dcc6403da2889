import Testing

@testable import ImprovementCore

/// Pull pages are rendered as bytes, pushes and the device's files through `String`s: both must
/// write the same JSON, or a change's text would depend on the road it took.
@Suite("JSON bytes")
struct JSONBytesTests {
    /// Characters that exercise every escaping rule: quotes, backslashes, the named control
    /// characters, the other control characters, and multi-byte UTF-8.
    static let alphabet: [Character] = [
        "a", "Z", "7", " ", "/", "'", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "é",
        "€", "🚑", "\u{2028}",
    ]

    @Test func stringsAreEscapedAsTheCanonicalEncoderEscapesThem() {
        var random = SeededRandom(seed: UInt64.random(in: 1...UInt64.max / 2))
        for _ in 0..<3000 {
            let text = String(
                (0..<Int.random(in: 0...12, using: &random)).map { _ in
                    Self.alphabet.randomElement(using: &random)!
                })
            var expected = ""
            CanonicalJSON.appendString(text, to: &expected)
            var bytes = JSONBytes()
            bytes.appendString(text)
            #expect(String(decoding: bytes.bytes, as: UTF8.self) == expected, "\(text.debugDescription)")
            // And from borrowed bytes, as a database column hands them out.
            var fromColumn = JSONBytes()
            Array(text.utf8).withUnsafeBufferPointer { fromColumn.appendString($0) }
            #expect(fromColumn.bytes == bytes.bytes)
        }
    }

    @Test(arguments: [0, 7, -7, 10, 1_000_000, Int64.max, Int64.min + 1, Int64.min])
    func integersAreWrittenAsSwiftWritesThem(number: Int64) {
        var bytes = JSONBytes()
        bytes.appendInteger(number)
        #expect(String(decoding: bytes.bytes, as: UTF8.self) == String(number))
    }
}
