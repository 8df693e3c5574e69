import Synchronization

/// The task that feeds a stream, cancellable before it exists.
///
/// A stream's `onTermination` must be installed before its producing task starts, or a consumer
/// that cancels (or drops the stream) in between leaves the producer, and its HTTP request,
/// running. The handle takes the cancellation at any time: `cancel()` before `start(_:)`
/// cancels the task as soon as it is handed over.
package final class StreamProducer: Sendable {
    private struct State {
        var task: Task<Void, Never>?
        var cancelled = false
    }

    private let state = Mutex(State())

    package init() {}

    /// Whether `cancel()` was called.
    package var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Hands over the producing task; cancels it at once if `cancel()` came first.
    package func start(_ task: Task<Void, Never>) {
        let cancelled = state.withLock { s in
            s.task = task
            return s.cancelled
        }
        if cancelled { task.cancel() }
    }

    /// Cancels the producing task, now or when it is handed over.
    package func cancel() {
        let task = state.withLock { s in
            s.cancelled = true
            return s.task
        }
        task?.cancel()
    }
}
