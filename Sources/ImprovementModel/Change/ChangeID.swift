/// Change ids in UUID version 7 form (RFC 9562): 48 bits of Unix milliseconds (the change's own
/// clock stamp, so ids follow the device's clock), then 74 random bits, made without
/// Foundation's formatting overhead.
///
/// Time-ordered rather than wholly random (version 4) so that every change log's unique index
/// on ids grows at its end instead of at random pages: at a million changes that is the
/// difference between index pages in cache and index pages read and rewritten for each insert.
/// The time it reveals is already in the change's clock; 74 random bits keep ids unique.
package enum ChangeID {
    package static func random(millis: Int64) -> String {
        var generator = SystemRandomNumberGenerator()
        let random: UInt64 = generator.next()
        var low: UInt64 = generator.next()
        var high = UInt64(UInt64(truncatingIfNeeded: millis) & 0xFFFF_FFFF_FFFF) << 16 | (random & 0x0FFF)
        high |= 0x0000_0000_0000_7000  // version 7
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000  // RFC 4122 variant
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            func put(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    let nibble = UInt8((value >> UInt64(shift)) & 0xF)
                    buffer[position] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
                    position += 1
                }
            }
            func dash() {
                buffer[position] = UInt8(ascii: "-")
                position += 1
            }
            put(high >> 32, nibbles: 8)
            dash()
            put((high >> 16) & 0xFFFF, nibbles: 4)
            dash()
            put(high & 0xFFFF, nibbles: 4)
            dash()
            put(low >> 48, nibbles: 4)
            dash()
            put(low & 0xFFFF_FFFF_FFFF, nibbles: 12)
            return 36
        }
    }
}
