/// A bounded map that approximates LRU with two generations: writes go into the current
/// generation; when it holds half the capacity it becomes the previous one and the old previous
/// one is dropped. Lookups see both. So it never holds more than `capacity` entries, an entry
/// written recently survives, and every operation is O(1) amortized.
///
/// The fleet dispatch's prefix indexes (block hash → last use) and key owners (affinity key →
/// member) are such maps.
struct TwoGenerationMap<Value: Sendable>: Sendable {
    /// The most entries held (at least 2).
    let capacity: Int
    private var current = HashKeyTable<Value>()
    private var previous = HashKeyTable<Value>()

    init(capacity: Int) {
        self.capacity = max(capacity, 2)
    }

    /// Entries held now (an entry rewritten since the last turn counts in both generations).
    var count: Int { current.count + previous.count }

    /// Whether nothing is held.
    var isEmpty: Bool { current.isEmpty && previous.isEmpty }

    /// The newest value of `key`, if it is held.
    subscript(key: UInt64) -> Value? { current[key] ?? previous[key] }

    /// Writes `value` for `key` into the current generation, turning the generations when it is full.
    mutating func set(_ key: UInt64, _ value: Value) {
        if current.updateValue(value, forKey: key) == nil, current.count >= capacity / 2 {
            previous = current
            current = HashKeyTable(minimumCapacity: capacity / 2)
        }
    }
}
