/// A bounded, approximate index of the prompt blocks a balancer sent to one member: what that
/// member's prefix cache probably holds.
///
/// Two generations of block hashes approximate LRU: inserts and touches go into the current
/// generation; when it holds half the capacity it becomes the previous one and the old previous
/// one is dropped. So the index never holds more than `capacity` hashes, a block used recently
/// survives, and every operation is O(1) amortized. Each hash keeps the stamp of its last use,
/// so among equally long matches the most recently used prefix can win (a member keeps serving
/// the personas it served last, which its server's LRU cache most likely still holds).
package struct PrefixIndex: Sendable {
    /// The most block hashes held (default 16,384 blocks of 256 bytes: about a million tokens
    /// of prompt text, the order of one GPU's KV cache).
    package let capacity: Int
    private var current: [UInt64: UInt64] = [:]
    private var previous: [UInt64: UInt64] = [:]
    /// Blocks offered for matching at dispatch, and those found (the index's own hit rate).
    package private(set) var queriedBlocks = 0
    package private(set) var matchedBlocks = 0

    package static let defaultCapacity = 16_384

    package init(capacity: Int = PrefixIndex.defaultCapacity) {
        self.capacity = max(capacity, 2)
    }

    /// Block hashes held now.
    package var count: Int { current.count + previous.count }

    private func stamp(_ hash: UInt64) -> UInt64? { current[hash] ?? previous[hash] }

    /// How many leading blocks of `blocks` the index holds, and the last-use stamp of the
    /// deepest of them (0 when none). Chained hashes make presence monotone up to evictions,
    /// so a binary search finds the match in O(log n) lookups.
    package func match(_ blocks: [UInt64]) -> (length: Int, stamp: UInt64) {
        guard !blocks.isEmpty, !(current.isEmpty && previous.isEmpty) else { return (0, 0) }
        var low = 0
        var high = blocks.count
        var deepest: UInt64 = 0
        while low < high {
            let mid = low + (high - low + 1) / 2
            if let s = stamp(blocks[mid - 1]) {
                low = mid
                deepest = s
            } else {
                high = mid - 1
            }
        }
        return (low, low > 0 ? deepest : 0)
    }

    /// Records that `blocks` were sent to the member at `stamp` (a counter that only grows),
    /// counting how many of them were already held.
    package mutating func insert(_ blocks: [UInt64], stamp: UInt64) {
        guard !blocks.isEmpty else { return }
        let matched = match(blocks).length
        queriedBlocks &+= blocks.count
        matchedBlocks &+= matched
        let half = capacity / 2
        for hash in blocks {
            if current.updateValue(stamp, forKey: hash) == nil, current.count >= half {
                previous = current
                current = [:]
                current.reserveCapacity(half)
            }
        }
    }

    /// Forgets everything (the member's server restarted, or it left).
    package mutating func removeAll() {
        current = [:]
        previous = [:]
    }
}
