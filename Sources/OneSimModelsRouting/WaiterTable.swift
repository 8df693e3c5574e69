/// The waiting requests by id: a `Dictionary` whose keys hash in one multiply.
///
/// Waiter ids come from this balancer's own counter, never from outside, so they need no
/// SipHash. Every decision with a queue looks waiters up (the head, its removal, a new
/// arrival); with a plain `[UInt64: Waiter]` a decision over 10,000 waiters cost 0.15–0.35 µs
/// more, for every strategy (`dispatch-cost`, 2 and 8 members).
struct WaiterTable: Sendable {
    /// A waiter id as a dictionary key.
    struct Key: Hashable, Sendable {
        let id: UInt64

        func hash(into hasher: inout Hasher) { hasher.combine(id) }

        func _rawHashValue(seed: Int) -> Int {
            Int(truncatingIfNeeded: (id ^ UInt64(truncatingIfNeeded: seed)) &* 0x9E37_79B9_7F4A_7C15)
        }
    }

    private var storage: [Key: Waiter] = [:]

    /// Waiters held.
    var count: Int { storage.count }
    /// Whether none waits.
    var isEmpty: Bool { storage.isEmpty }
    /// Every waiter, in no order.
    var values: Dictionary<Key, Waiter>.Values { storage.values }

    subscript(id: UInt64) -> Waiter? {
        get { storage[Key(id: id)] }
        set { storage[Key(id: id)] = newValue }
    }

    /// Removes waiter `id`; returns it, or `nil` if it was not waiting.
    @discardableResult
    mutating func removeValue(forKey id: UInt64) -> Waiter? { storage.removeValue(forKey: Key(id: id)) }
}
