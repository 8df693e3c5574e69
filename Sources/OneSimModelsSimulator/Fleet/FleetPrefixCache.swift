/// A server's prefix cache: at most `capacity` block hashes, least recently used evicted first.
///
/// A prompt hits the leading run of its blocks found in the cache (blocks are chained hashes,
/// so a block can only match when every block before it matched too). Inserting a prompt
/// touches its blocks from last to first, so a shared prefix (a persona) stays the most recently
/// used and is the last to go. All operations are O(blocks) with a hash map and an intrusive
/// doubly linked list over arrays.
struct FleetPrefixCache: Sendable {
    let capacity: Int
    private var index: [UInt64: Int] = [:]
    private var keys: [UInt64] = []
    private var prev: [Int] = []
    private var next: [Int] = []
    /// Most recently used node, or -1.
    private var head = -1
    /// Least recently used node, or -1.
    private var tail = -1
    private var free: [Int] = []

    init(capacity: Int) { self.capacity = max(0, capacity) }

    /// Blocks held.
    var count: Int { index.count }

    /// Whether `block` is cached (does not touch it).
    func contains(_ block: UInt64) -> Bool { index[block] != nil }

    /// How many leading blocks of `blocks` are cached (does not touch them).
    func leadingHits(_ blocks: [UInt64]) -> Int {
        var n = 0
        for block in blocks {
            guard index[block] != nil else { break }
            n += 1
        }
        return n
    }

    /// Inserts or touches every block of `blocks`, evicting the least recently used ones beyond
    /// the capacity. With a capacity of zero nothing is kept.
    mutating func insert(_ blocks: [UInt64]) {
        guard capacity > 0 else { return }
        // Only the first `capacity` blocks can be kept; touch them from last to first.
        for block in blocks.prefix(capacity).reversed() {
            if let node = index[block] {
                unlink(node)
                pushFront(node)
            } else {
                if index.count >= capacity { evictLRU() }
                let node: Int
                if let reused = free.popLast() {
                    node = reused
                    keys[node] = block
                } else {
                    node = keys.count
                    keys.append(block)
                    prev.append(-1)
                    next.append(-1)
                }
                index[block] = node
                pushFront(node)
            }
        }
    }

    private mutating func evictLRU() {
        guard tail >= 0 else { return }
        let node = tail
        unlink(node)
        index[keys[node]] = nil
        free.append(node)
    }

    private mutating func unlink(_ node: Int) {
        let p = prev[node]
        let n = next[node]
        if p >= 0 { next[p] = n } else { head = n }
        if n >= 0 { prev[n] = p } else { tail = p }
        prev[node] = -1
        next[node] = -1
    }

    private mutating func pushFront(_ node: Int) {
        prev[node] = -1
        next[node] = head
        if head >= 0 { prev[head] = node }
        head = node
        if tail < 0 { tail = node }
    }
}
