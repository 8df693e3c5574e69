/// A bounded, approximate index of the prompt blocks a balancer sent to one member: what that
/// member's prefix cache probably holds.
///
/// A `TwoGenerationMap` of block hashes approximates LRU: the index never holds more than
/// its capacity in hashes, and a block used recently survives. Each hash keeps how many times it
/// was sent (saturating; the count starts again when the block drops out of both generations)
/// and the stamp of its last use, so among equally long matches the prefix a member serves most,
/// then the one it served last, can win: what its server's LRU cache most likely still holds.
package struct PrefixIndex: Sendable {
    /// What the index holds of one block: the stamp of its last use and how often it was sent.
    struct Entry: Sendable {
        var stamp: UInt64
        var uses: UInt32
        /// The first block's use count when this block was last sent (so a match needs no
        /// lookup of the first block).
        var rootUses: UInt32
        /// How many blocks, from the first, the shared part of the prompt that last sent this
        /// block spanned (see `match`): where a match ending here looks first for it.
        var sharedDepth: UInt32 = 0
    }
    /// Block hash → its last use and use count.
    private var stamps: TwoGenerationMap<Entry>
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

    /// How many leading blocks of `blocks` the index holds; the last-use stamp and use count of
    /// the deepest of them; and `sharedUses`, the use count of the deepest matched block sent at
    /// least twice and at least a quarter as often as the first block (as counted when that
    /// deepest block was last sent, which each entry carries): the end of the part many
    /// calls share (a persona), before what few calls sent (one agent's history). All 0 when
    /// nothing matches. Chained hashes make presence monotone up to evictions, and a block is
    /// sent at most as often as the blocks before it, so binary searches find both in O(log n)
    /// lookups. The second runs only when the deepest block falls short, and only when the
    /// shared part no longer ends where it did when the deepest block was last sent (each entry
    /// keeps that depth; two lookups check it), so a scan of many waiters of one persona costs
    /// about one search each.
    package func match(_ blocks: [UInt64]) -> (length: Int, stamp: UInt64, uses: UInt32, sharedUses: UInt32) {
        guard !blocks.isEmpty, !stamps.isEmpty else { return (0, 0, 0, 0) }
        var low = 0
        var high = blocks.count
        var deepest = Entry(stamp: 0, uses: 0, rootUses: 0)
        while low < high {
            let mid = low + (high - low + 1) / 2
            if let s = stamps[blocks[mid - 1]] {
                low = mid
                deepest = s
            } else {
                high = mid - 1
            }
        }
        guard low > 0 else { return (0, 0, 0, 0) }
        let rootUses = max(deepest.rootUses, deepest.uses)
        let threshold = max(2, rootUses / 4)
        guard deepest.uses < threshold else { return (low, deepest.stamp, deepest.uses, deepest.uses) }
        guard rootUses >= threshold else { return (low, deepest.stamp, deepest.uses, 0) }
        // Where the shared part ended when the deepest block was last sent, if it still does:
        // that block qualifies and the next does not (two lookups, not a search).
        let hint = Int(deepest.sharedDepth)
        if hint >= 1 && hint < low, let end = stamps[blocks[hint - 1]], end.uses >= threshold,
            hint == low - 1 || (stamps[blocks[hint]]?.uses ?? 0) < threshold
        {
            return (low, deepest.stamp, deepest.uses, end.uses)
        }
        // The root qualifies; find the deepest block that still does.
        var sharedLow = 1
        var sharedHigh = low - 1
        var shared = rootUses
        while sharedLow < sharedHigh {
            let mid = sharedLow + (sharedHigh - sharedLow + 1) / 2
            if let s = stamps[blocks[mid - 1]], s.uses >= threshold {
                sharedLow = mid
                shared = s.uses
            } else {
                sharedHigh = mid - 1
            }
        }
        return (low, deepest.stamp, deepest.uses, shared)
    }

    /// Records that `blocks` were sent to the member at `stamp` (a counter that only grows):
    /// each block's use count goes up by one; counts how many leading blocks were already held
    /// (read in the same pass: one lookup per block).
    package mutating func insert(_ blocks: [UInt64], stamp: UInt64) {
        guard let first = blocks.first else { return }
        let heldRoot = stamps[first]?.uses
        let root = heldRoot ?? 0
        let rootUses = root == .max ? root : root + 1
        let threshold = max(2, rootUses / 4)
        var sharedDepth: UInt32 = 0
        var matched = 0
        for (i, hash) in blocks.enumerated() {
            let held = i == 0 ? heldRoot : stamps[hash]?.uses
            if held != nil && matched == i { matched += 1 }
            let old = held ?? 0
            let uses = old == .max ? old : old + 1
            if uses >= threshold { sharedDepth = UInt32(truncatingIfNeeded: i + 1) }
            stamps.set(hash, Entry(stamp: stamp, uses: uses, rootUses: rootUses, sharedDepth: sharedDepth))
        }
        queriedBlocks &+= blocks.count
        matchedBlocks &+= matched
    }
}
