/// A hash table from 64-bit keys that are themselves hashes (prompt block hashes, affinity-key
/// hashes) to values: open addressing with linear probing, no removal (a `TwoGenerationMap`
/// drops a whole generation at once), grown by doubling at half full.
///
/// A `Dictionary` runs every lookup through SipHash, a third of a fleet decision's time when
/// the prompts are long; here a slot is one multiply away: the key, XORed with a per-process
/// random seed (so an outsider who can choose prompts cannot aim keys at one slot), times the
/// 64-bit golden ratio, top bits.
struct HashKeyTable<Value: Sendable>: Sendable {
    private var keys: [UInt64]
    private var values: [Value?]
    /// Entries held.
    private(set) var count = 0
    /// 64 − log2(slots): the shift that keeps a product's top bits.
    private var shift: UInt64
    /// The per-process seed mixed into every slot choice (held here: reading the global
    /// would check its one-time initialisation on every lookup).
    private let seed = hashKeyTableSeed

    /// An empty table with room for `minimumCapacity` entries before it first grows.
    init(minimumCapacity: Int = 8) {
        var slots = 16
        while slots < 2 * max(minimumCapacity, 1) && slots < (1 << 40) { slots <<= 1 }
        keys = Array(repeating: 0, count: slots)
        values = Array(repeating: nil, count: slots)
        shift = UInt64(64 - slots.trailingZeroBitCount)
    }

    /// Whether nothing is held.
    var isEmpty: Bool { count == 0 }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: ((key ^ seed) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The value of `key`, if held.
    subscript(key: UInt64) -> Value? {
        let mask = keys.count - 1
        var i = slot(key)
        while let value = values[i] {
            if keys[i] == key { return value }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Sets `key` to `value`; returns the value it replaced, or `nil` for a new key.
    @discardableResult
    mutating func updateValue(_ value: Value, forKey key: UInt64) -> Value? {
        if 2 * (count + 1) > keys.count { grow() }
        let mask = keys.count - 1
        var i = slot(key)
        while let old = values[i] {
            if keys[i] == key {
                values[i] = value
                return old
            }
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = value
        count += 1
        return nil
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        values = Array(repeating: nil, count: oldKeys.count * 2)
        shift -= 1
        let mask = keys.count - 1
        for j in oldKeys.indices {
            guard let value = oldValues[j] else { continue }
            var i = slot(oldKeys[j])
            while values[i] != nil { i = (i + 1) & mask }
            keys[i] = oldKeys[j]
            values[i] = value
        }
    }
}

/// Drawn once per process from the system's random source.
private let hashKeyTableSeed: UInt64 = {
    var generator = SystemRandomNumberGenerator()
    return generator.next()
}()
