import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// The balancer's queue as a state machine: FIFO fairness for token budgets, the cost of a
/// release, and calls in a retry round keeping their place.
@Suite("Balancer queue: fairness and cost")
struct QueueTests {

    private func grants(_ resolutions: [Resolution]) -> [UInt64] {
        resolutions.compactMap { if case .granted = $0.outcome { $0.id } else { nil } }
    }

    @Test("tpm: a large request at the head is not overtaken by small ones behind it")
    func largeHeadIsNotOvertaken() throws {
        // 10,000 tokens a minute; most of it in use by one call.
        var c = core([DeploymentSettings(tpm: 10_000)])
        let busy = try #require(grant(c.acquire(excluding: [], tokens: 9_000, deadline: .seconds(600), now: .zero).0))
        let big = c.acquire(excluding: [], tokens: 8_000, deadline: .seconds(600), now: .zero).0
        #expect(big == .wait(id: 1))
        // Steady small traffic behind it: 100-token calls, arriving every 100 ms for 60 s.
        var now = Duration.zero
        var order: [UInt64] = []
        for _ in 0..<600 {
            now += .milliseconds(100)
            let (decision, resolutions) = c.acquire(excluding: [], tokens: 100, deadline: now + .seconds(600), now: now)
            order += grants(resolutions)
            if case .done(.granted) = decision { order.append(0) }  // a small call that went at once
            if let wake = c.nextWake(), wake <= now { order += grants(c.tick(now: now)) }
        }
        _ = c.release(busy, .success(latency: .seconds(1), usage: Usage(promptTokens: 4_000, completionTokens: 5_000)), now: now)
        // The big call went first, before any small call that arrived after it.
        #expect(order.first == 1, "granted in order \(order.prefix(5)) — the 8k call was overtaken")
        #expect(!order.contains(0), "a small call passed the waiting queue")
    }

    @Test("a release costs O(members) evaluations, however long the queue")
    func releaseCostDoesNotGrowWithTheQueue() throws {
        for queueLength in [100, 10_000] {
            // Two members, both full and over their tpm for the head: every waiter waits.
            var c = core([DeploymentSettings(tpm: 1_000, maxConcurrency: 1), DeploymentSettings(tpm: 1_000, maxConcurrency: 1)])
            let g0 = try #require(grant(c.acquire(excluding: [], tokens: 500, deadline: .seconds(600), now: .zero).0))
            _ = try #require(grant(c.acquire(excluding: [], tokens: 500, deadline: .seconds(600), now: .zero).0))
            for _ in 0..<queueLength {
                _ = c.acquire(excluding: [], tokens: 900, deadline: .seconds(600), now: .zero)
            }
            #expect(c.queuedCount == queueLength)
            let before = c.evaluations
            // A release frees a slot but not enough tokens for the head: nobody goes.
            let (resolutions, _) = c.release(g0, .success(latency: .zero, usage: Usage(promptTokens: 250, completionTokens: 250)), now: .zero)
            #expect(resolutions.isEmpty)
            #expect(c.evaluations - before <= 2, "\(c.evaluations - before) evaluations for one release with \(queueLength) waiting")
            _ = c.nextWake()
            #expect(c.evaluations - before <= 2)
        }
    }

    @Test("during an outage (calls failing over and retrying) a release still costs a few evaluations")
    func releaseCostWithRetryingWaiters() throws {
        for queueLength in [100, 10_000] {
            var c = core([DeploymentSettings(maxConcurrency: 1), DeploymentSettings(maxConcurrency: 1), DeploymentSettings(maxConcurrency: 1)])
            let held = try (0..<3).map { _ in try #require(grant(c.acquire(excluding: [], tokens: 1, deadline: .seconds(600), now: .zero).0)) }
            // Waiters that tried member 0 or 1, and calls in a retry round, all waiting.
            for i in 0..<queueLength {
                let excluded: Set<Int> = [[], [0], [1], [0, 1]][i % 4]
                _ = c.acquire(excluding: excluded, tokens: 1, deadline: .seconds(600), now: .zero, retry: true)
            }
            #expect(c.queuedCount == queueLength)
            let before = c.evaluations
            // Member 2 frees a slot: one waiter gets it.
            let (resolutions, _) = c.release(held[2], .success(latency: .zero, usage: .zero), now: .zero)
            #expect(resolutions.count == 1)
            // One evaluation per exclusion group's head, plus one per woken waiter's successor.
            #expect(c.evaluations - before <= 8, "\(c.evaluations - before) evaluations for one release with \(queueLength) waiting")
        }
    }

    @Test("a call in a retry round keeps its place ahead of fresh waiters")
    func retryRoundKeepsItsPlace() throws {
        var c = core([DeploymentSettings(maxConcurrency: 1)])
        let g = try #require(grant(c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero).0))
        for _ in 0..<500 { _ = c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero) }
        // A call whose first round failed comes back after its backoff.
        let retry = c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .seconds(1), retry: true).0
        #expect(retry == .wait(id: 501))
        let (resolutions, _) = c.release(g, .success(latency: .zero, usage: .zero), now: .seconds(1))
        #expect(grants(resolutions) == [501], "the retried call went to the back of the queue")
    }

    @Test("a freed slot always reaches the head of the queue (no missed wake-up under churn)")
    func noMissedWakeUp() throws {
        // Two members with 3 slots each; waiters arrive, some are cancelled, some retry with
        // exclusions, slots are released in random order. At every step: no slot is free
        // while a waiter that could use it waits.
        var c = core([DeploymentSettings(maxConcurrency: 3), DeploymentSettings(maxConcurrency: 3)])
        var rng = SplitMix64(seed: 7)
        var held: [Grant] = []
        var waiting: Set<UInt64> = []
        var now = Duration.zero
        func absorb(_ resolutions: [Resolution]) {
            for r in resolutions {
                waiting.remove(r.id)
                if case .granted(let g) = r.outcome { held.append(g) }
            }
        }
        for _ in 0..<5_000 {
            now += .milliseconds(1)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:
                let excluded: Set<Int> = Int.random(in: 0..<4, using: &rng) == 0 ? [Int.random(in: 0..<2, using: &rng)] : []
                let (decision, resolutions) = c.acquire(excluding: excluded, tokens: 1, deadline: now + .seconds(600), now: now)
                absorb(resolutions)
                switch decision {
                case .done(.granted(let g)): held.append(g)
                case .wait(let id): waiting.insert(id)
                default: break
                }
            case 4..<9 where !held.isEmpty:
                let g = held.remove(at: Int.random(in: 0..<held.count, using: &rng))
                absorb(c.release(g, .success(latency: .milliseconds(5), usage: .zero), now: now).resolutions)
            case 9 where !waiting.isEmpty:
                let id = waiting.randomElement(using: &rng)!
                let (was, resolutions) = c.cancel(id, now: now)
                #expect(was)
                waiting.remove(id)
                absorb(resolutions)
            default:
                break
            }
            // Invariant: a waiter with nothing excluded never waits while a slot is free.
            let free = c.members.map { 3 - $0.limiter.snapshot.inFlight }
            let freshWaiting = c.waiters.contains { $0.excluded.isEmpty }
            if freshWaiting { #expect(free.allSatisfy { $0 == 0 }, "a slot is free while a waiter waits") }
            for waiter in c.waiters where !waiter.excluded.isEmpty {
                let usable = (0..<2).filter { !waiter.excluded.contains($0) }
                #expect(usable.allSatisfy { free[$0] == 0 }, "a slot is free for a retrying waiter")
            }
        }
        #expect(c.queuedCount == waiting.count)
    }
}
