import OneSimModelsSimulator
import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsRouting

/// A library stream's producer runs at most a bounded number of deltas ahead of its consumer:
/// the state is observed (the producer parked waiting for demand), never timed.
@Suite("Stream backpressure")
struct StreamBackpressureTests {
    /// A stream whose producer sends `count` numbered deltas, counting how many it has sent.
    private func numbered(_ count: Int, sent: Flag<Int>) -> ModelStream {
        ModelStream.producing { sink, _ in
            for i in 0..<count {
                await sink.send(ModelDelta(text: "\(i) "))
                sent.update { $0 += 1 }
            }
            sink.finish()
        }
    }

    @Test func aProducerWaitsWhenItsConsumerIsBehindAndLosesNothing() async throws {
        let sent = Flag(0)
        let stream = numbered(1_000, sent: sent)
        try await waitUntil("the producer waits for the consumer") { stream.isWaitingForDemand }
        // Parked: nothing more is produced until the consumer reads.
        let ahead = sent.value
        #expect(ahead >= ModelStream.bufferedDeltas - 1)
        #expect(ahead <= 2 * ModelStream.bufferedDeltas, "bounded, not the whole reply (\(ahead))")
        var received: [String] = []
        for try await delta in stream { received.append(delta.text) }
        #expect(received == (0..<1_000).map { "\($0) " }, "every delta, in order")
        #expect(sent.value == 1_000)
    }

    @Test func droppingAStreamWhoseProducerWaitsCancelsTheProducer() async throws {
        let cancelled = Flag(false)
        var stream: ModelStream? = ModelStream.producing { sink, _ in
            for i in 0..<1_000 { await sink.send(ModelDelta(text: "\(i)")) }
            if Task.isCancelled { cancelled.update { $0 = true } }
            sink.finish()
        }
        try await waitUntil("the producer waits") { stream?.isWaitingForDemand == true }
        stream = nil
        try await waitUntil("the producer saw the cancellation") { cancelled.value }
        #expect(cancelled.value)
    }

    @Test func cancelEndsAConsumerWaitingForADeltaThatNeverComes() async throws {
        let stream = ModelStream.producing { sink, _ in
            sink.yield(ModelDelta(text: "first"))
            try? await Task.sleep(for: .seconds(86_400))  // a server that stalls; cancellable
            sink.finish(throwing: ModelError(.cancelled, "the stream was cancelled"))
        }
        let box = StreamIteratorBox(stream.makeAsyncIterator())
        #expect(try await box.next()?.text == "first")
        let waiting = Task { try await box.next() }
        box.cancel()
        do {
            _ = try await waiting.value
            Issue.record("the stream ended without an error")
        } catch {
            #expect((error as? ModelError)?.kind == .cancelled)
        }
    }

    @Test func aProducedStreamIsIteratedOnce() async throws {
        let stream = ModelStream.producing { sink, _ in
            sink.yield(ModelDelta(text: "only"))
            sink.finish()
        }
        var first = stream.makeAsyncIterator()
        var second = stream.makeAsyncIterator()
        #expect(try await first.next()?.text == "only")
        await #expect(throws: ModelError.self) { try await second.next() }
    }

    @Test func streamsMadeFromAnAsyncThrowingStreamStillWork() async throws {
        let (stream, continuation) = ModelStream.makeStream()
        continuation.yield(ModelDelta(text: "a"))
        continuation.yield(ModelDelta(text: "b"))
        continuation.finish()
        var text = ""
        for try await delta in stream { text += delta.text }
        #expect(text == "ab")
        let built = ModelStream { continuation in
            continuation.yield(ModelDelta(text: "c"))
            continuation.finish(throwing: ModelError(.serverError, "broke"))
        }
        var iterator = built.makeAsyncIterator()
        #expect(try await iterator.next()?.text == "c")
        await #expect(throws: ModelError.self) { try await iterator.next() }
    }

    /// Over HTTP: a provider stream stops reading the response while its consumer is behind,
    /// and the reply arrives whole when the consumer catches up; so does a balancer's.
    @Test(arguments: [false, true])
    func anHTTPStreamReadsNoFasterThanItsConsumer(throughBalancer: Bool) async throws {
        try await withSimulator(.init(streamChunkBytes: 8)) { sim, m in
            try m.loadModelConfigs(json: """
                [\(chatConfig("a", sim)),
                 {"config_name": "lb", "model_type": "load_balancer", "models": ["a"]}]
                """)
            let model = try m.getModel(configName: throughBalancer ? "lb" : "a")
            let prompt = Prompt(stringLiteral: (1...2_000).map { "w\($0)" }.joined(separator: " "))
            let whole = try await model.acall(prompt).text
            let stream = try await model.stream(prompt)
            var iterator = stream.makeAsyncIterator()
            var text = try await iterator.next()?.text ?? ""
            try await waitUntil("the producer waits for the consumer") { stream.isWaitingForDemand }
            while let delta = try await iterator.next() { text += delta.text }
            #expect(text == whole)
        }
    }
}

/// A value tasks share (a test's observation point).
final class Flag<Value: Sendable>: Sendable {
    private let state: Mutex<Value>
    init(_ value: Value) { state = Mutex(value) }
    var value: Value { state.withLock { $0 } }
    func update(_ body: (inout Value) -> Void) { state.withLock { body(&$0) } }
}
