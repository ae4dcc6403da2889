import Foundation

/// A hybrid logical clock timestamp: physical milliseconds, a logical counter and the replica
/// that made it.
///
/// The text form is fixed width up to the replica id (`0001764288000000-00000-replica`), so
/// comparing two encoded timestamps as strings gives the same answer as comparing the values;
/// SQL `ORDER BY hlc` and `MAX(hlc)` are therefore clock order. Ties on time and counter are
/// broken by replica id.
public struct HLC: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Physical time, in milliseconds since 1970-01-01 UTC.
    public let millis: Int64
    /// Orders stamps made within one millisecond (0 to `maxCounter`).
    public let counter: Int
    /// The replica that made the stamp; breaks ties.
    public let replica: String
    /// The encoded form, built once: stamps are written to the log far more often than made.
    public let description: String

    /// Largest counter that still fits the fixed-width encoding.
    public static let maxCounter = 99_999

    /// A stamp from its parts.
    public init(millis: Int64, counter: Int, replica: String) {
        self.millis = millis
        self.counter = counter
        self.replica = replica
        self.description = HLC.encode(millis: millis, counter: counter, replica: replica)
    }

    /// Parses the text form; nil when it is not a valid timestamp.
    public init?(_ text: String) {
        let utf8 = text.utf8
        // 16 digits, '-', 5 digits, '-', replica (at least one character)
        guard utf8.count >= 24 else { return nil }
        var millis: Int64 = 0
        var counter = 0
        var index = utf8.startIndex
        for position in 0..<23 {
            let byte = utf8[index]
            switch position {
            case 16, 22:
                guard byte == UInt8(ascii: "-") else { return nil }
            case 0..<16:
                guard byte >= 48, byte <= 57 else { return nil }
                millis = millis * 10 + Int64(byte - 48)
            default:
                guard byte >= 48, byte <= 57 else { return nil }
                counter = counter * 10 + Int(byte - 48)
            }
            index = utf8.index(after: index)
        }
        let replica = String(text[index...])
        guard ReplicaID.isValid(replica) else { return nil }
        self.millis = millis
        self.counter = counter
        self.replica = replica
        self.description = text
    }

    /// Equal when time, counter and replica are.
    public static func == (lhs: HLC, rhs: HLC) -> Bool {
        lhs.millis == rhs.millis && lhs.counter == rhs.counter && lhs.replica == rhs.replica
    }

    /// Hashes the parts `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(millis)
        hasher.combine(counter)
        hasher.combine(replica)
    }

    /// Clock order: by time, then counter, then replica id.
    public static func < (lhs: HLC, rhs: HLC) -> Bool {
        if lhs.millis != rhs.millis { return lhs.millis < rhs.millis }
        if lhs.counter != rhs.counter { return lhs.counter < rhs.counter }
        return lhs.replica < rhs.replica
    }

    private static func encode(millis: Int64, counter: Int, replica: String) -> String {
        var bytes = [UInt8](repeating: UInt8(ascii: "0"), count: 23)
        var rest = max(0, millis)
        for index in stride(from: 15, through: 0, by: -1) {
            bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        bytes[16] = UInt8(ascii: "-")
        var count = max(0, counter)
        for index in stride(from: 21, through: 17, by: -1) {
            bytes[index] = UInt8(ascii: "0") + UInt8(count % 10)
            count /= 10
        }
        bytes[22] = UInt8(ascii: "-")
        bytes.append(contentsOf: replica.utf8)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Replica ids: 1 to 64 characters of `a-z`, `0-9` and `-`, so they embed safely in an HLC.
public enum ReplicaID {
    /// True when `text` may be used as a replica id.
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 64 else { return false }
        return text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    /// A new random replica id of 16 hexadecimal digits.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// The physical clock an HLC reads: injected so tests can skew it.
public struct PhysicalClock: Sendable {
    private let read: @Sendable () -> Int64

    /// A clock that reads the time from `read`, in milliseconds since 1970-01-01 UTC.
    public init(millisecondsSince1970 read: @escaping @Sendable () -> Int64) {
        self.read = read
    }

    /// The system's wall clock.
    public static let system = PhysicalClock {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The time now, in milliseconds since 1970-01-01 UTC.
    public func nowMillis() -> Int64 { read() }
}

/// The hybrid logical clock of one replica: stamps local events and absorbs remote ones.
///
/// A value type on purpose: the store keeps its state in the database and runs a generator
/// inside each write transaction, so two processes sharing a file never hand out the same stamp.
public struct HLCGenerator: Sendable {
    // Kept as numbers: a merge absorbs one remote stamp per change, and encoding an `HLC` each
    // time would cost more than the clock arithmetic. `last` builds the stamp when asked.
    private var millis: Int64
    private var counter: Int
    private let replica: String
    private let physical: PhysicalClock

    /// The latest timestamp handed out or absorbed.
    public var last: HLC { HLC(millis: millis, counter: counter, replica: replica) }

    /// The clock of `replica`, carrying on from `last` (nil for a new replica) and reading `physical`.
    public init(replica: String, last: HLC?, physical: PhysicalClock) {
        self.millis = last?.millis ?? 0
        self.counter = last?.counter ?? 0
        self.replica = replica
        self.physical = physical
    }

    /// A new timestamp for a local event, later than every timestamp seen so far.
    public mutating func tick() -> HLC {
        let now = physical.nowMillis()
        if now > millis {
            (millis, counter) = (now, 0)
        } else {
            advance(from: millis, counter: counter)
        }
        return last
    }

    /// Absorbs a timestamp received from another replica so later local stamps sort after it.
    public mutating func receive(_ remote: HLC) {
        let now = physical.nowMillis()
        let wall = max(now, millis, remote.millis)
        if wall == millis && wall == remote.millis {
            advance(from: wall, counter: max(counter, remote.counter))
        } else if wall == millis {
            advance(from: wall, counter: counter)
        } else if wall == remote.millis {
            advance(from: wall, counter: remote.counter)
        } else {
            (millis, counter) = (wall, 0)
        }
    }

    private mutating func advance(from millis: Int64, counter: Int) {
        // The counter is fixed width; on overflow borrow a millisecond rather than break ordering.
        (self.millis, self.counter) = counter < HLC.maxCounter ? (millis, counter + 1) : (millis + 1, 0)
    }
}
