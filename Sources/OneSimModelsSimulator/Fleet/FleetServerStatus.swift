/// What the dashboard shows of one simulated fleet server: its batch and queue against its
/// slots, its prefix-cache counters and KV-cache use, and its completed and rejected requests.
package struct FleetServerStatus: Sendable, Hashable {
    package var running: Int
    package var waiting: Int
    /// `max_num_seqs`: how many requests run at once.
    package var slots: Int
    /// The used share of the KV cache, 0...1.
    package var kvCacheUsage: Double
    /// Prompt tokens looked up in the prefix cache, and of them the ones found.
    package var prefixQueries: Int
    package var prefixHits: Int
    package var completed: Int
    package var rejected: Int

    /// The share of looked-up prompt tokens the prefix cache held; `nil` before any lookup.
    package var prefixHitRate: Double? { prefixQueries > 0 ? Double(prefixHits) / Double(prefixQueries) : nil }

    package init(_ model: FleetServerModel) {
        running = model.running
        waiting = model.waiting
        slots = model.config.maxNumSeqs
        kvCacheUsage = model.kvCacheUsage
        prefixQueries = model.prefixQueries
        prefixHits = model.prefixHits
        completed = model.completed
        rejected = model.rejected
    }
}
