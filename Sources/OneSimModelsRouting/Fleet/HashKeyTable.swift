/// A hash table from 64-bit keys that are themselves hashes (prompt block hashes, affinity-key
/// hashes) to values: open addressing with linear probing, no removal (a `TwoGenerationMap`
/// drops a whole generation at once), grown by doubling at half full.
///
/// A `Dictionary` runs every lookup through SipHash, a third of a fleet decision's time when
/// the prompts are long; here a slot is one multiply away: the key, XORed with a per-process
/// random seed (so an outsider who can choose prompts cannot aim keys at one slot), times the
/// 64-bit golden ratio, top bits.
///
/// A key and its value share a slot, so a lookup reads one cache line, not one per array.
struct HashKeyTable<Value: Sendable>: Sendable {
    /// One slot: a key and its value (`nil`: empty).
    private struct Slot: Sendable {
        var key: UInt64
        var value: Value?
    }
    private var slots: [Slot]
    /// Entries held.
    private(set) var count = 0
    /// 64 − log2(slots): the shift that keeps a product's top bits.
    private var shift: UInt64
    /// The per-process seed mixed into every slot choice (held here: reading the global
    /// would check its one-time initialisation on every lookup).
    private let seed = hashKeyTableSeed

    /// An empty table with room for `minimumCapacity` entries before it first grows.
    init(minimumCapacity: Int = 8) {
        var count = 16
        while count < 2 * max(minimumCapacity, 1) && count < (1 << 40) { count <<= 1 }
        slots = Array(repeating: Slot(key: 0, value: nil), count: count)
        shift = UInt64(64 - count.trailingZeroBitCount)
    }

    /// Whether nothing is held.
    var isEmpty: Bool { count == 0 }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: ((key ^ seed) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The value of `key`, if held.
    subscript(key: UInt64) -> Value? {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var i = slot(key)
            while let value = slots[i].value {
                if slots[i].key == key { return value }
                i = (i + 1) & mask
            }
            return nil
        }
    }

    /// Sets `key` to `value`; returns the value it replaced, or `nil` for a new key.
    @discardableResult
    mutating func updateValue(_ value: Value, forKey key: UInt64) -> Value? {
        if 2 * (count + 1) > slots.count { grow() }
        let mask = slots.count - 1
        var i = slot(key)
        while let old = slots[i].value {
            if slots[i].key == key {
                slots[i].value = value
                return old
            }
            i = (i + 1) & mask
        }
        slots[i] = Slot(key: key, value: value)
        count += 1
        return nil
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(key: 0, value: nil), count: old.count * 2)
        shift -= 1
        let mask = slots.count - 1
        for entry in old where entry.value != nil {
            var i = slot(entry.key)
            while slots[i].value != nil { i = (i + 1) & mask }
            slots[i] = entry
        }
    }
}

/// Drawn once per process from the system's random source.
private let hashKeyTableSeed: UInt64 = {
    var generator = SystemRandomNumberGenerator()
    return generator.next()
}()
