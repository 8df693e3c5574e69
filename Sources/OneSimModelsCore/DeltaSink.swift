import NIOCore
import Synchronization

/// The producing end of a backpressured ``ModelStream``: what a stream's producer sends
/// deltas into and finishes.
///
/// `yield` never waits: it buffers the delta and says whether the consumer wants more;
/// `send` yields and then, when the buffer is full, waits until the consumer has taken enough
/// (or left). A producer that reads a network body yields a chunk's deltas and then calls
/// `waitForDemand()` before reading the next chunk, so it reads no faster than the consumer.
package struct DeltaSink: Sendable {
    let source: ModelStream.Produced.Source
    let gate: DemandGate

    /// Buffers `delta`; `false` when the producer should wait (`waitForDemand()`) before
    /// producing more, or when the consumer is gone (the delta is then dropped).
    @discardableResult
    package func yield(_ delta: ModelDelta) -> Bool {
        switch source.yield(delta) {
        case .produceMore: return true
        case .stopProducing:
            gate.mustWait()
            return false
        case .dropped: return false
        }
    }

    /// Yields `delta`, then waits while the consumer is behind.
    package func send(_ delta: ModelDelta) async {
        if !yield(delta) { await waitForDemand() }
    }

    /// Waits until the consumer wants more deltas, has gone away, or this task is cancelled.
    /// Returns at once when no wait is due.
    package func waitForDemand() async {
        await gate.waitForDemand()
    }

    /// Ends the stream after the buffered deltas.
    package func finish() { source.finish() }

    /// Ends the stream with `error` after the buffered deltas.
    package func finish(throwing error: any Error) { source.finish(error) }
}

/// The stream's delegate: hears the consumer ask for more (`produceMore`) or leave
/// (`didTerminate`, which cancels the producer), and parks the producer in between.
///
/// NIO calls `produceMore` only after a yield answered `stopProducing` (and perhaps once before
/// the first yield), possibly before the producer starts waiting: the call is then kept as a
/// pending grant that the next wait consumes, so no wake-up is lost.
package final class DemandGate: NIOAsyncSequenceProducerDelegate {
    private struct State {
        var pendingDemand = false
        var mustWait = false
        var terminated = false
        var cancelled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    let producer: StreamProducer
    private let state = Mutex(State())

    init(producer: StreamProducer) { self.producer = producer }

    /// Whether a producer is parked (for tests).
    var isWaiting: Bool { state.withLock { $0.waiter != nil } }

    /// A yield answered `stopProducing`: the next `waitForDemand` waits for a grant.
    func mustWait() {
        state.withLock { $0.mustWait = true }
    }

    package func produceMore() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let waiter = s.waiter else {
                s.pendingDemand = true
                return nil
            }
            s.waiter = nil
            s.mustWait = false
            return waiter
        }
        waiter?.resume()
    }

    package func didTerminate() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.terminated = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
        producer.cancel()
    }

    func waitForDemand() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if !s.mustWait || s.terminated || s.cancelled { return true }
                    if s.pendingDemand {
                        s.pendingDemand = false
                        s.mustWait = false
                        return true
                    }
                    s.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                s.cancelled = true
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume()
        }
    }
}
