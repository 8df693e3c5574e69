import DequeModule

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

    private var entries: Deque<Entry> = []
    /// Entries still waiting.
    private(set) var count = 0

    /// Whether no fresh waiter waits.
    var isEmpty: Bool { count == 0 }

    /// The oldest waiting id (the head).
    var first: UInt64? { entries.first?.id }

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
        while let front = entries.first, !front.isWaiting { entries.removeFirst() }
        if count == 0 { entries.removeAll(keepingCapacity: true) }
        return true
    }

    /// The position of `id`, by binary search over the sorted ids.
    private func position(of id: UInt64) -> Int? {
        let i = entries.firstPosition { $0.id < id }
        return i < entries.count && entries[i].id == id ? i : nil
    }

    /// Calls `body` with the waiting entries, oldest first, while it returns `true`; entries
    /// that left are passed over but counted in `visited` (the look-ahead's bound on its cost).
    func forEachWaiting(visitingAtMost limit: Int, _ body: (Entry) -> Bool) {
        var visited = 0
        for entry in entries {
            visited += 1
            if visited > limit { return }
            guard entry.isWaiting else { continue }
            if !body(entry) { return }
        }
    }

    /// The waiting ids, oldest first (O(n); for diagnostics and tests).
    var ids: [UInt64] { entries.lazy.filter(\.isWaiting).map(\.id) }
}
