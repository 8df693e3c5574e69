import OneSimModelsCore

/// Merging snapshots of several processes without counting a call twice.
///
/// The rule: a merged snapshot holds, for every source id that appears in any input, the one
/// copy with the highest `sequence` (a later capture breaks ties), and its totals are the sums
/// over those sources. Merging is therefore idempotent (`a.merging(a) == a` in counts),
/// commutative and associative: merge worker snapshots in any order, as often as they arrive,
/// and each call is counted once. Only `sources` are read; edits to a snapshot's top-level
/// fields do not survive a merge.
extension TokenUsageStats {
    /// This snapshot merged with `other` (see the rule above).
    public func merging(_ other: TokenUsageStats) -> TokenUsageStats {
        TokenUsageStats(sources: sources + other.sources)
    }

    /// All `snapshots` merged into one (see the rule above); empty input gives an empty snapshot.
    public static func merged(_ snapshots: some Sequence<TokenUsageStats>) -> TokenUsageStats {
        TokenUsageStats(sources: snapshots.flatMap(\.sources))
    }
}
