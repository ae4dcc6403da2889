import Crypto
import Foundation

/// Bearer tokens: 256 random bits shown once, stored only as a SHA-256 hash.
///
/// A fast hash is enough here (unlike passwords): the token is a random secret with no
/// dictionary to guess from, so the hash only has to be one-way.
public enum AccessToken {
    static let prefix = "imp_"

    /// A new random token.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        for _ in 0..<4 {
            let word: UInt64 = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + base64
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The hash stored for a token: lowercase hex SHA-256.
    public static func hash(_ token: String) -> String {
        // Every request hashes its token: the digits go straight into one buffer (a string per
        // byte, joined, was a tenth of a busy server's request handling).
        let digest = SHA256.hash(data: Array(token.utf8))
        return String(unsafeUninitializedCapacity: SHA256.byteCount * 2) { buffer in
            var index = 0
            for byte in digest {
                buffer[index] = hexDigits[Int(byte >> 4)]
                buffer[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    /// True when the text has the shape of a token (so malformed headers are refused before any lookup).
    static func isWellFormed(_ token: String) -> Bool {
        token.hasPrefix(prefix) && token.utf8.count == prefix.utf8.count + 43
            && token.utf8.dropFirst(prefix.utf8.count).allSatisfy { byte in
                (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57)
                    || byte == 45 || byte == 95
            }
    }
}
