import OneSimModelsCore

/// The fresh waiters' FIFO order: their ids, oldest first, each with its prompt fingerprint and
/// whether it still waits.
///
/// Ids come from one counter, so the queue is sorted by id: a waiter that leaves from the middle
/// is found by binary search and marked, not searched for or moved. The front is always a
/// waiting entry (marked entries are dropped when they reach it), so the head costs nothing to
/// find. The fleet dispatch's look-ahead reads fingerprints here, in queue order, instead of
/// looking each waiter up in the table of all waiters (a cache miss per waiter with thousands
/// waiting).
struct FreshQueue: Sendable {
    /// One fresh waiter.
    struct Entry: Sendable {
        let id: UInt64
        /// Its prompt's fingerprint (the waiter's own, shared storage).
        let fingerprint: PromptFingerprint
        /// Whether it still waits.
        var isWaiting = true
    }

    /// The entries from `start` on are the queue; those before it left and are dropped in bulk
    /// when they make up half the array (amortized O(1) per waiter). A plain array, not a
    /// `Deque`: the look-ahead reads entries in place through one buffer pointer, where a
    /// `Deque`'s iterator copied each entry (a retain and a release of its fingerprint's blocks).
    private var entries: [Entry] = []
    private var start = 0
    /// Entries still waiting.
    private(set) var count = 0

    /// Whether no fresh waiter waits.
    var isEmpty: Bool { count == 0 }

    /// The oldest waiting id (the head).
    var first: UInt64? { start < entries.count ? entries[start].id : nil }

    /// Adds waiter `id`, which must be above every id added before.
    mutating func append(_ id: UInt64, fingerprint: PromptFingerprint) {
        entries.append(Entry(id: id, fingerprint: fingerprint))
        count += 1
    }

    /// Waiter `id` left (granted, timed out, cancelled, or its round ended). Returns whether it
    /// was waiting here. O(log n); marked entries are dropped as they reach the front.
    @discardableResult
    mutating func remove(_ id: UInt64) -> Bool {
        guard let position = position(of: id), entries[position].isWaiting else { return false }
        entries[position].isWaiting = false
        count -= 1
        while start < entries.count, !entries[start].isWaiting { start += 1 }
        if count == 0 {
            entries.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 64 && 2 * start >= entries.count {
            entries.removeFirst(start)
            start = 0
        }
        return true
    }

    /// The position of `id`, by binary search over the sorted ids.
    private func position(of id: UInt64) -> Int? {
        let live = entries[start...]
        let i = live.firstPosition { $0.id < id }
        return i < live.endIndex && live[i].id == id ? i : nil
    }

    /// Calls `body` with the waiting entries, oldest first, while it returns `true`; entries
    /// that left are passed over but counted in `visited` (the look-ahead's bound on its cost).
    /// Each entry is lent in place, not copied.
    func forEachWaiting(visitingAtMost limit: Int, _ body: (borrowing Entry) -> Bool) {
        entries.withUnsafeBufferPointer { buffer in
            let end = min(buffer.count, start.saturatingAdd(max(limit, 0)))
            var i = start
            while i < end {
                if buffer[i].isWaiting, !body(buffer[i]) { return }
                i += 1
            }
        }
    }

    /// The waiting ids, oldest first (O(n); for diagnostics and tests).
    var ids: [UInt64] { entries[start...].lazy.filter(\.isWaiting).map(\.id) }
}
