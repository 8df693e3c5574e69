import OneSimModelsSimulator
import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// A reply that, one word per 100 ms chunk, streams for 5 minutes: a test that cancels it after
/// its first deltas never races the stream's natural end, however busy the machine (a
/// cancelled stream stops at once, so no test waits that long).
private let longReply = Prompt(stringLiteral: (1...3_000).map { "w\($0)" }.joined(separator: " "))

/// Cancelling or dropping a stream is never a success: not for the balancer's member, its
/// latency samples, budgets, nor a `"stream": true` config's `acall`.
@Suite("Stream cancellation over HTTP", .timeLimit(.minutes(3)))
struct StreamCancellationTests {
    @Test func aBalancedStreamCancelledAfterItsFirstDeltaIsNoSuccess() async throws {
        try await withSimulators(1, .init(streamChunkDelay: .milliseconds(100))) { sims, m in
            try m.loadModelConfigs(json: """
                [\(memberConfig("a", sims[0])),
                 {"config_name": "lb", "model_type": "load_balancer", "models": ["a"], "max_tokens": 100000}]
                """)
            let lb = try m.getModel(configName: "lb") as! LoadBalancer
            let received = Mutex(0)
            let consumer = Task {
                for try await delta in try await lb.stream(longReply) where !delta.text.isEmpty {
                    received.withLock { $0 += 1 }
                }
            }
            try await waitUntil("a delta reached the consumer") { received.withLock { $0 } > 0 }
            consumer.cancel()
            _ = await consumer.result
            try await waitUntil("the member's slot is free") { lb.stats()[member: "a"]?.inFlight == 0 }
            let a = try #require(lb.stats()[member: "a"])
            #expect(a.successes == 0)
            #expect(a.failures == 0)
            #expect(a.cancellations == 1)
            #expect(a.averageLatency == nil)
            let budget = try #require(lb.budget)
            try await waitUntil("the budget's hold is released") { budget.status().inFlight == 0 }
            #expect(budget.status().reservedTokens == 0)
            #expect(budget.status().spentTokens > 0, "what was sent and received is charged")
            try await waitUntil("the server saw the client go away") { sims[0].streamsAborted == 1 }
        }
    }

    @Test func aBalancedStreamCancelledBeforeItsFirstDeltaThrowsCancelled() async throws {
        try await withSimulators(1) { sims, m in
            sims[0].enqueue(.delay(.seconds(60)))
            try m.loadModelConfigs(json: "[\(memberConfig("a", sims[0]))]")
            try m.configureLoadBalancer(modelConfigs: ["a"], configName: "lb")
            let lb = try m.getModel(configName: "lb") as! LoadBalancer
            let consumer = Task {
                var count = 0
                for try await _ in try await lb.stream("hello") { count += 1 }
                return count
            }
            try await waitUntil("the request reached the server") { sims[0].requestCount == 1 }
            consumer.cancel()
            let result = await consumer.result
            #expect((result.failure as? ModelError)?.kind == .cancelled)
            try await waitUntil("the member's slot is free") { lb.stats()[member: "a"]?.inFlight == 0 }
            let a = try #require(lb.stats()[member: "a"])
            #expect(a.successes == 0)
            #expect(a.cancellations == 1)
        }
    }

    @Test func cancellingAcallOnAStreamingConfigThrowsCancelled() async throws {
        try await withSimulator(.init(streamChunkDelay: .milliseconds(100))) { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, extra: #", "stream": true"#))
            let model = try m.getModel(configName: "c")
            let call = Task { try await model.acall(longReply) }
            try await waitUntil("the request reached the server") { sim.requestCount == 1 }
            call.cancel()
            let result = await call.result
            let error = result.failure as? ModelError
            #expect(error?.kind == .cancelled, "not a cut-off response: \(String(describing: try? result.get().text))")
        }
    }

    @Test func aCancelledStreamChargesTheBudgetForWhatWasReceived() async throws {
        let sim = Simulator(configuration: .init(streamChunkDelay: .milliseconds(100)))
        try await sim.start()
        let m = ModelManager(environment: [:], budget: BudgetLimits(maxTokens: 1_000_000))
        do {
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            let received = Mutex(0)
            let consumer = Task {
                for try await delta in try await model.stream(longReply) where !delta.text.isEmpty {
                    received.withLock { $0 += 1 }
                }
            }
            try await waitUntil("deltas reached the consumer") { received.withLock { $0 } >= 2 }
            consumer.cancel()
            _ = await consumer.result
            let budget = try #require(m.budget)
            try await waitUntil("the budget's hold is released") { budget.status().inFlight == 0 }
            #expect(budget.status().spentTokens >= 2)
            try await waitUntil("the call is recorded") { m.tokenTracker.stats().errorCount == 1 }
        } catch {
            await m.shutdown()
            await sim.stop()
            throw error
        }
        await m.shutdown()
        await sim.stop()
    }

    @Test func droppingAStreamUnreadClosesTheRequest() async throws {
        try await withSimulator(.init(streamChunkDelay: .milliseconds(100))) { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            var stream: ModelStream? = try await m.getModel(configName: "c").stream(longReply)
            try await waitUntil("the request reached the server") { sim.requestCount == 1 }
            #expect(stream != nil)
            stream = nil
            try await waitUntil("the server saw the client go away") { sim.streamsAborted == 1 }
        }
    }
}

@Suite("Stream ends without a network")
struct StreamEndTests {
    @Test func collectInACancelledTaskThrowsCancelledNotACutResponse() async throws {
        let (stream, continuation) = ModelStream.makeStream()
        continuation.yield(ModelDelta(text: "partial"))
        let collecting = Task { try await stream.collect() }
        collecting.cancel()
        let result = await collecting.result
        #expect((result.failure as? ModelError)?.kind == .cancelled)
        continuation.finish()
    }

    @Test func aCompleteStreamStillCollects() async throws {
        let (stream, continuation) = ModelStream.makeStream()
        continuation.yield(ModelDelta(text: "a"))
        continuation.yield(ModelDelta(text: "b", finishReason: "stop"))
        continuation.finish()
        #expect(try await stream.collect().text == "ab")
    }

    @Test func aProducerCancelledBeforeItStartsIsCancelledWhenHandedOver() async throws {
        let producer = StreamProducer()
        producer.cancel()
        let task = Task<Void, Never> {
            // Ends only when cancelled.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        }
        producer.start(task)
        await task.value
        #expect(task.isCancelled)
    }

    @Test func droppingAProducedStreamCancelsItsProducer() async throws {
        let sawCancellation = Mutex(false)
        let finished = Mutex(false)
        var stream: ModelStream? = ModelStream.producing { continuation, producer in
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            sawCancellation.withLock { $0 = producer.isCancelled }
            finished.withLock { $0 = true }
            continuation.finish()
        }
        #expect(stream != nil)
        stream = nil
        try await waitUntil("the producer ended") { finished.withLock { $0 } }
        #expect(sawCancellation.withLock { $0 })
    }
}

extension Result {
    /// The error, if this is a failure.
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
