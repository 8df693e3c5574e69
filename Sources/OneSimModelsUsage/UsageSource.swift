import OneSimModelsCore

/// What one tracker counted between two resets: the unit that snapshots are merged by.
///
/// Every `TokenUsageTracker` draws a random `id` when it starts and a new one at each reset, so
/// a source is "these calls, made by that tracker in that period". `sequence` is the number of
/// records the source had seen when the snapshot was taken; a source only grows, so of two
/// copies of the same source the one with the higher sequence contains the other. Merging keeps
/// exactly one copy per id (the highest sequence) and adds different ids. That is why merging
/// the same snapshot twice, or `A + B` and then `A` again, never counts a call twice.
package struct UsageSource: Sendable, Hashable, Identifiable {
    /// Unique per tracker and reset period.
    package var id: String
    /// A human-readable origin (host and process id by default), for reports only.
    package var label: String
    /// How many records (successes plus failures) the source had when captured.
    package var sequence: Int
    /// When the period started, as Unix seconds.
    package var startedAt: Double
    /// When this copy was captured, as Unix seconds.
    package var capturedAt: Double
    /// Seconds from the start of the period to the capture, by the tracker's monotonic clock.
    package var elapsedTimeSeconds: Double
    /// Usage per model, config, provider and kind, sorted by key.
    package var rows: [UsageRow]

    /// A source with every field given (as read back from a snapshot); `label` defaults to
    /// empty. Nothing is checked here: merging trusts `id` and `sequence`.
    package init(
        id: String, label: String = "", sequence: Int, startedAt: Double, capturedAt: Double,
        elapsedTimeSeconds: Double, rows: [UsageRow]
    ) {
        self.id = id
        self.label = label
        self.sequence = sequence
        self.startedAt = startedAt
        self.capturedAt = capturedAt
        self.elapsedTimeSeconds = elapsedTimeSeconds
        self.rows = rows
    }

    /// Whether this copy should replace `other`, a copy of the same source: a higher sequence
    /// wins, then a later capture.
    package func supersedes(_ other: UsageSource) -> Bool {
        (sequence, capturedAt) > (other.sequence, other.capturedAt)
    }

    /// `id`, `label`, `sequence`, `started_at`, `captured_at`, `elapsed_time_seconds` and
    /// `usage` (the rows).
    package var json: JSONValue {
        [
            "id": .string(id), "label": .string(label), "sequence": .int(sequence), "started_at": .double(startedAt),
            "captured_at": .double(capturedAt), "elapsed_time_seconds": .double(elapsedTimeSeconds),
            "usage": .array(rows.map(\.json)),
        ]
    }

    /// Reads what `json` writes.
    package init(json: JSONValue) throws(ModelError) {
        guard let id = json["id"]?.stringValue, !id.isEmpty else {
            throw ModelError(.decoding, "token usage source needs a non-empty string 'id'")
        }
        guard let sequence = json["sequence"]?.intValue, sequence >= 0 else {
            throw ModelError(.decoding, "token usage source '\(id)' needs a non-negative integer 'sequence'")
        }
        guard let rows = json["usage"]?.arrayValue else {
            throw ModelError(.decoding, "token usage source '\(id)' needs an array 'usage'")
        }
        var decoded: [UsageRow] = []
        decoded.reserveCapacity(rows.count)
        for row in rows { decoded.append(try UsageRow(json: row)) }
        self.init(
            id: id, label: json["label"]?.stringValue ?? "", sequence: sequence,
            startedAt: json["started_at"]?.doubleValue ?? 0, capturedAt: json["captured_at"]?.doubleValue ?? 0,
            elapsedTimeSeconds: json["elapsed_time_seconds"]?.doubleValue ?? 0, rows: decoded.sorted { $0.key < $1.key })
    }
}
