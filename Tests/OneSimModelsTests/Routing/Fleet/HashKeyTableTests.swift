import Testing

@testable import OneSimModelsRouting

@Suite("Fleet dispatch: the prefix index's hash table")
struct HashKeyTableTests {
    @Test("agrees with a Dictionary over inserts, overwrites and growth, for random and sequential keys")
    func agreesWithDictionary() {
        var table = HashKeyTable<Int>()
        var reference: [UInt64: Int] = [:]
        var rng = SplitMix64(seed: 42)
        for i in 0..<20_000 {
            // Random keys, sequential keys, and rewrites of earlier keys.
            let key: UInt64 = i % 3 == 0 ? rng.next() : (i % 3 == 1 ? UInt64(i / 3) : UInt64(rng.next() % 500))
            let old = table.updateValue(i, forKey: key)
            #expect(old == reference.updateValue(i, forKey: key))
        }
        #expect(table.count == reference.count)
        for (key, value) in reference { #expect(table[key] == value) }
        for _ in 0..<1_000 {
            let key = rng.next()
            #expect(table[key] == reference[key], "a key never written is not found")
        }
        #expect(table[0] != nil && table[0] == reference[0], "key 0 is an ordinary key")
    }

    @Test("keys that share their low or high bits still spread (no long probe chains)")
    func structuredKeys() {
        var table = HashKeyTable<UInt64>(minimumCapacity: 4_096)
        for i in 0..<4_096 {
            table.updateValue(UInt64(i), forKey: UInt64(i) << 40 | 1 << 63)  // equal low 40 bits
            table.updateValue(UInt64(i), forKey: UInt64(i))  // equal high bits
        }
        #expect(table.count == 8_192)
        for i in 0..<4_096 {
            #expect(table[UInt64(i) << 40 | 1 << 63] == UInt64(i))
            #expect(table[UInt64(i)] == UInt64(i))
        }
    }

    @Test("a two-generation map over it never holds more than its capacity, and keeps recent keys")
    func generations() {
        var map = TwoGenerationMap<Int>(capacity: 64)
        for i in 0..<10_000 {
            map.set(UInt64(i), i)
            #expect(map.count <= 64)
            #expect(map[UInt64(i)] == i)
        }
        #expect(map[0] == nil)
        #expect(map[9_990] == 9_990)
    }
}
