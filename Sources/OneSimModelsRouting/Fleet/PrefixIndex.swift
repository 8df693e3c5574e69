/// A bounded, approximate index of the prompt blocks a balancer sent to one member: what that
/// member's prefix cache probably holds.
///
/// A `TwoGenerationMap` of block hashes approximates LRU: the index never holds more than
/// its capacity in hashes, and a block used recently survives. Each hash keeps the stamp of its last use,
/// so among equally long matches the most recently used prefix can win (a member keeps serving
/// the personas it served last, which its server's LRU cache most likely still holds).
package struct PrefixIndex: Sendable {
    /// Block hash → the stamp of its last use.
    private var stamps: TwoGenerationMap<UInt64>
    /// Blocks offered for matching at dispatch, and those found (the index's own hit rate).
    package private(set) var queriedBlocks = 0
    package private(set) var matchedBlocks = 0

    /// The most block hashes held by default: 16,384 blocks of 256 bytes, about a million
    /// tokens of prompt text, the order of one GPU's KV cache.
    package static let defaultCapacity = 16_384

    package init(capacity: Int = PrefixIndex.defaultCapacity) {
        stamps = TwoGenerationMap(capacity: capacity)
    }

    /// Block hashes held now.
    package var count: Int { stamps.count }

    /// How many leading blocks of `blocks` the index holds, and the last-use stamp of the
    /// deepest of them (0 when none). Chained hashes make presence monotone up to evictions,
    /// so a binary search finds the match in O(log n) lookups.
    package func match(_ blocks: [UInt64]) -> (length: Int, stamp: UInt64) {
        guard !blocks.isEmpty, !stamps.isEmpty else { return (0, 0) }
        var low = 0
        var high = blocks.count
        var deepest: UInt64 = 0
        while low < high {
            let mid = low + (high - low + 1) / 2
            if let s = stamps[blocks[mid - 1]] {
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
        for hash in blocks { stamps.set(hash, stamp) }
    }
}
