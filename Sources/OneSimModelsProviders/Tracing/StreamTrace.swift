import OneSimModelsCore

/// A stream's client span and what the span reports at its end that only the deltas say.
struct StreamTrace {
    /// The span of the attempt being opened or read (`nil` without a tracer).
    var span: CallSpan?
    /// The last finish reason a delta carried.
    var finishReason: String?

    /// Notes what `delta` tells the span; nothing without a span.
    @inline(__always)
    mutating func saw(_ delta: ModelDelta) {
        if span != nil, let reason = delta.finishReason { finishReason = reason }
    }
}
