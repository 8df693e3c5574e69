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

    /// What `match` finds: the matched length, the deepest matched block's last-use stamp and
    /// use count, and the shared part's use count (all 0 when nothing matches).
    package typealias Match = (length: Int, stamp: UInt64, uses: UInt32, sharedUses: UInt32)

    /// How many times `block` was sent, if the index holds it.
    package func uses(of block: UInt64) -> UInt32? { stamps[block]?.uses }

    /// How many leading blocks of `blocks` the index holds; the last-use stamp and use count of
    /// the deepest of them; and `sharedUses`, the use count of the deepest matched block sent at
    /// least twice and at least a quarter as often as the first block (as counted when that
    /// deepest block was last sent, which each entry carries): the end of the part many
    /// calls share (a persona), before what few calls sent (one agent's history). All 0 when
    /// nothing matches.
    ///
    /// A block is held only with every block before it, and sent at most as often (`insert`
    /// keeps both exact). So the length takes two lookups when the prompt is held to its end or
    /// a block short of it (the usual case), else a binary search. The shared part needs a
    /// second search only when the deepest block falls short, and only when it no longer ends
    /// where it did when the deepest block was last sent (each entry keeps that depth; two
    /// lookups check it), so a scan of many waiters of one persona costs a few lookups each.
    package func match(_ blocks: [UInt64]) -> Match {
        guard !blocks.isEmpty, !stamps.isEmpty else { return (0, 0, 0, 0) }
        var low = 0
        var high = blocks.count
        var deepest = Entry(stamp: 0, uses: 0, rootUses: 0)
        // Most prompts a member is asked about are held to their end or a block short of it (a
        // persona and the agent's history so far, then a new turn): two probes there settle
        // the length, where a search from the middle took four or five, each waiting on the
        // last (a cache miss apiece in a cold index).
        if let s = stamps[blocks[high - 1]] {
            low = high
            deepest = s
        } else if high >= 2, let s = stamps[blocks[high - 2]] {
            low = high - 1
            deepest = s
        } else {
            high = max(high - 2, 0)
        }
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
    /// each block's use count goes up by one. Returns how many leading blocks were already held
    /// (read in the same pass: one lookup per block), the member's likely prefix-cache hit.
    ///
    /// The blocks are read first to last and written last to first, so a block is always
    /// written after every deeper block of the same prompt: a generation turn during the writes
    /// can drop a deeper block before a shallower one, never the reverse. With chained hashes
    /// that keeps two invariants exact, which `match` and `mayOutrank` rely on: a block is held
    /// only if every block before it is, and it was sent at most as often (each count is also
    /// capped at the count of the block before it).
    @discardableResult
    package mutating func insert(_ blocks: [UInt64], stamp: UInt64) -> Int {
        guard !blocks.isEmpty else { return 0 }
        return withUnsafeTemporaryAllocation(of: Entry.self, capacity: blocks.count) { entries in
            var rootUses: UInt32 = 0
            var threshold: UInt32 = 2
            var sharedDepth: UInt32 = 0
            var matched = 0
            var previousUses = UInt32.max
            for (i, hash) in blocks.enumerated() {
                let held = stamps[hash]?.uses
                if held != nil && matched == i { matched += 1 }
                let old = held ?? 0
                let uses = min(old == .max ? old : old + 1, previousUses)
                previousUses = uses
                if i == 0 {
                    rootUses = uses
                    threshold = max(2, rootUses / 4)
                }
                if uses >= threshold { sharedDepth = UInt32(truncatingIfNeeded: i + 1) }
                entries.initializeElement(at: i, to: Entry(stamp: stamp, uses: uses, rootUses: rootUses, sharedDepth: sharedDepth))
            }
            for i in blocks.indices.reversed() {
                stamps.set(blocks[i], entries.moveElement(from: i))
            }
            queriedBlocks &+= blocks.count
            matchedBlocks &+= matched
            return matched
        }
    }

    /// Whether a waiting request with `blocks` may rank (see `WaiterRank`) at or above a rank
    /// of `bound`'s shared level and uncached blocks (strictly above when `strictly`), from at
    /// most two lookups: the first block's use count bounds the shared level (counts never
    /// grow along a prompt), and one block shows whether enough of the prompt is held. `false`
    /// only when `match` is sure to rank it lower; `true` says nothing.
    package func mayOutrank(_ blocks: [UInt64], sharedLevel: Int, uncached: Int, strictly: Bool) -> Bool {
        let bound = (sharedLevel, -uncached)
        guard let first = blocks.first, let root = stamps[first] else {
            // Nothing matches: the rank is exactly level 0 with every block uncached.
            let rank = (0, -blocks.count)
            return rank > bound || (!strictly && rank == bound)
        }
        let levelBound = PrefixIndex.level(root.uses)
        if levelBound != sharedLevel { return levelBound > sharedLevel }
        // At the same level at best: it needs at least `blocks.count - uncached` blocks held
        // (one more when a tie does not do).
        let needed = blocks.count - uncached + (strictly ? 1 : 0)
        if needed <= 1 { return true }
        if needed > blocks.count { return false }
        return stamps[blocks[needed - 1]] != nil
    }

    /// `uses` in base-4 orders of magnitude (0 for 0 to 3 uses, 1 for 4 to 15, ...): members
    /// within a factor of about 4 of each other rank alike.
    package static func level(_ uses: UInt32) -> Int {
        uses == 0 ? 0 : (UInt32.bitWidth - uses.leadingZeroBitCount - 1) / 2
    }
}
