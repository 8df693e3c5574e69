import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// The pure state machines, stepped without sleeping.
@Suite("Routing decisions (pure)")
struct RoutingDecisionTests {
    // MARK: Token bucket

    @Test("a token bucket holds a minute's budget and refills per second")
    func tokenBucket() {
        var bucket = TokenBucket(perMinute: 120, now: .zero)
        #expect(bucket.allows(120, at: .zero))
        bucket.take(120, at: .zero)
        #expect(!bucket.allows(1, at: .zero))
        #expect(bucket.wait(for: 1, at: .zero) == .milliseconds(500))
        #expect(bucket.allows(1, at: .milliseconds(500)))
        #expect(bucket.wait(for: 4, at: .seconds(1)) == .seconds(1))
        #expect(bucket.level(at: .seconds(600)) == 120, "never above capacity")
    }

    @Test("a request larger than the whole budget goes when the bucket is full")
    func oversizedRequest() {
        var bucket = TokenBucket(perMinute: 100, now: .zero)
        #expect(bucket.allows(500, at: .zero))
        bucket.take(500, at: .zero)
        #expect(bucket.level(at: .zero) == -400)
        #expect(bucket.wait(for: 500, at: .zero) == .seconds(300), "the debt is repaid before the next one")
    }

    @Test("giving back corrects a charge, never above capacity")
    func giveBack() {
        var bucket = TokenBucket(perMinute: 1_000, now: .zero)
        bucket.take(600, at: .zero)
        bucket.giveBack(500, at: .zero)
        #expect(bucket.level(at: .zero) == 900)
        bucket.giveBack(500, at: .zero)
        #expect(bucket.level(at: .zero) == 1_000)
        #expect(bucket.usedShare(at: .zero) == 0)
    }

    // MARK: Health

    private func policy(members: Int = 2) -> HealthPolicy {
        HealthPolicy(cooldownTime: .seconds(5), allowedFails: 3, window: .seconds(60), maxRetryAfter: .seconds(120), hasAlternatives: members > 1)
    }

    @Test("more than allowed_fails transient failures within a minute cool a member")
    func allowedFails() {
        var health = MemberHealth()
        let p = policy()
        let error = MemberFailure.status(500)
        for t in 0..<3 { #expect(!p.apply(error, .retryable, to: &health, at: .seconds(t))) }
        #expect(!health.isCooled(at: .seconds(3)))
        #expect(p.apply(error, .retryable, to: &health, at: .seconds(3)))
        #expect(health.cooldownRemaining(at: .seconds(3)) == .seconds(5))
        #expect(!health.isCooled(at: .seconds(8)))
        #expect(health.cooldowns == 1)
    }

    @Test("failures older than the window are forgotten")
    func failureWindow() {
        var health = MemberHealth()
        let p = policy()
        let error = MemberFailure.status(503)
        for t in [0, 20, 40] { _ = p.apply(error, .retryable, to: &health, at: .seconds(t)) }
        #expect(!p.apply(error, .retryable, to: &health, at: .seconds(61)), "the failure at 0 s fell out of the window")
        #expect(p.apply(error, .retryable, to: &health, at: .seconds(62)))
    }

    @Test("a 429 cools for its Retry-After (capped), else for cooldown_time")
    func rateLimitCooldown() {
        let p = policy()
        var health = MemberHealth()
        #expect(p.apply(MemberFailure.status(429, retryAfter: .seconds(42)), .retryable, to: &health, at: .zero))
        #expect(health.cooldownRemaining(at: .zero) == .seconds(42))
        var other = MemberHealth()
        _ = p.apply(MemberFailure.status(429), .retryable, to: &other, at: .zero)
        #expect(other.cooldownRemaining(at: .zero) == .seconds(5))
        var capped = MemberHealth()
        _ = p.apply(MemberFailure.status(429, retryAfter: .seconds(3_600)), .retryable, to: &capped, at: .zero)
        #expect(capped.cooldownRemaining(at: .zero) == .seconds(120))
    }

    @Test("a single member is cooled by 401/403/404 but not by transient errors")
    func singleMember() {
        let p = policy(members: 1)
        var health = MemberHealth()
        for t in 0..<10 { _ = p.apply(MemberFailure.status(500), .retryable, to: &health, at: .seconds(t)) }
        _ = p.apply(MemberFailure.status(429, retryAfter: .seconds(9)), .retryable, to: &health, at: .seconds(10))
        #expect(!health.isCooled(at: .seconds(10)))
        #expect(p.apply(MemberFailure.status(401), .coolAndMove, to: &health, at: .seconds(10)))
        #expect(health.isCooled(at: .seconds(10)))
    }

    @Test("cooldown_time 0 disables cooling")
    func zeroCooldown() {
        var p = policy()
        p.cooldownTime = .zero
        var health = MemberHealth()
        #expect(!p.apply(MemberFailure.status(401), .coolAndMove, to: &health, at: .zero))
        #expect(!health.isCooled(at: .zero))
    }

    @Test("errors are classified as the rules say")
    func classification() {
        #expect(FailureDisposition(MemberFailure.status(400)) == .returnNow)
        #expect(FailureDisposition(MemberFailure.status(422)) == .returnNow)
        #expect(FailureDisposition(MemberFailure.contextLength) == .returnNow)
        #expect(FailureDisposition(MemberFailure.status(408)) == .retryable)
        #expect(FailureDisposition(MemberFailure.status(409)) == .retryable)
        #expect(FailureDisposition(MemberFailure.status(429)) == .retryable)
        #expect(FailureDisposition(MemberFailure.status(500)) == .retryable)
        #expect(FailureDisposition(MemberFailure.connection) == .retryable)
        #expect(FailureDisposition(MemberFailure.status(401)) == .coolAndMove)
        #expect(FailureDisposition(MemberFailure.status(403)) == .coolAndMove)
        #expect(FailureDisposition(MemberFailure.status(404)) == .coolAndMove)
        #expect(FailureDisposition(ModelError(.serverError, "no", status: 500, shouldRetryHeader: false)) == .failover(countsAsFailure: true))
        #expect(FailureDisposition(ModelError(.badRequest, "yes", status: 400, shouldRetryHeader: true)) == .retryable)
        #expect(FailureDisposition(ModelError(.allAttemptsFailed, "inner", status: 500, shouldRetryHeader: true)) == .failover(countsAsFailure: true))
        #expect(FailureDisposition(ModelError(.cancelled, "stop")) == .cancelled)
    }

    // MARK: Call plan

    @Test("a round ends in a backoff only if it had a retryable error, for max_retries rounds")
    func callPlanRounds() {
        var plan = CallPlan(maxRetries: 2, policy: .default, queueTimeout: .seconds(60))
        #expect(plan.memberFailed(0, name: "a", error: MemberFailure.status(500), disposition: .retryable) == .tryAnother)
        #expect(plan.memberFailed(1, name: "b", error: MemberFailure.status(401), disposition: .coolAndMove) == .tryAnother)
        #expect(plan.tried == [0, 1])
        #expect(plan.roundEnded(jitter: 1) == .retry(after: .milliseconds(500)))
        #expect(plan.tried.isEmpty)
        _ = plan.memberFailed(0, name: "a", error: MemberFailure.status(429, retryAfter: .seconds(2)), disposition: .retryable)
        #expect(plan.roundEnded(jitter: 0.75) == .retry(after: .seconds(2)))
        _ = plan.memberFailed(0, name: "a", error: MemberFailure.status(500), disposition: .retryable)
        #expect(plan.roundEnded(jitter: 1) == .giveUp, "max_retries rounds used")
        #expect(plan.attempts.count == 4)
        let final = plan.finalError(balancer: "lb", memberCount: 2)
        #expect(final.kind == .allAttemptsFailed)
        #expect(final.status == 500)
    }

    @Test("backoff doubles up to 8 s and takes the jitter")
    func callPlanBackoff() {
        var plan = CallPlan(maxRetries: 10, policy: .default, queueTimeout: .seconds(60))
        var delays: [Duration] = []
        for _ in 0..<6 {
            _ = plan.memberFailed(0, name: "a", error: MemberFailure.connection, disposition: .retryable)
            if case .retry(let d) = plan.roundEnded(jitter: 0.75) { delays.append(d) }
        }
        #expect(delays == [.milliseconds(375), .milliseconds(750), .milliseconds(1_500), .seconds(3), .seconds(6), .seconds(6)])
    }

    @Test("a round without retryable errors, or a Retry-After over 120 s, gives up")
    func callPlanGivesUp() {
        var plan = CallPlan(maxRetries: 2, policy: .default, queueTimeout: .seconds(60))
        _ = plan.memberFailed(0, name: "a", error: MemberFailure.status(404), disposition: .coolAndMove)
        #expect(plan.roundEnded(jitter: 1) == .giveUp)
        var long = CallPlan(maxRetries: 2, policy: .default, queueTimeout: .seconds(60))
        _ = long.memberFailed(0, name: "a", error: MemberFailure.status(429, retryAfter: .seconds(121)), disposition: .retryable)
        #expect(long.roundEnded(jitter: 1) == .giveUp)
    }

    @Test("the queue timeout is a budget for the whole call")
    func queueBudget() {
        var plan = CallPlan(maxRetries: 2, policy: .default, queueTimeout: .seconds(10))
        #expect(plan.deadline(from: .seconds(100)) == .seconds(110))
        plan.addWaited(.seconds(4))
        #expect(plan.deadline(from: .seconds(200)) == .seconds(206))
        plan.queueTimedOut(balancer: "lb")
        #expect(plan.finalError(balancer: "lb", memberCount: 1).kind == .queueTimeout)
    }

    // MARK: Core


    @Test("a full member queues requests and a release hands the slot to the oldest")
    func coreConcurrency() {
        var c = core([DeploymentSettings(maxConcurrency: 1)])
        let (first, _) = c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero)
        let g = try! #require(grant(first))
        let (second, _) = c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero)
        let (third, _) = c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero)
        #expect(second == .wait(id: 1))
        #expect(third == .wait(id: 2))
        #expect(c.earliestWake == .seconds(60))
        let (resolutions, cooled) = c.release(g, .success(latency: .seconds(1), usage: .zero), now: .seconds(1))
        #expect(!cooled)
        #expect(resolutions.map(\.id) == [1])
        #expect(c.waiters.map(\.id) == [2])
        #expect(c.members[0].inFlight == 1)
    }

    @Test("tpm charges the estimate and the real usage frees the rest for a waiter")
    func coreTpmCorrection() {
        var c = core([DeploymentSettings(tpm: 1_000)])
        let g = try! #require(grant(c.acquire(excluding: [], tokens: 600, deadline: .seconds(60), now: .zero).0))
        let r1 = c.acquire(excluding: [], tokens: 600, deadline: .seconds(60), now: .zero).0
        #expect(r1 == .wait(id: 1))
        #expect(c.earliestWake == .seconds(12), "200 missing tokens at 1,000/min")
        let (resolutions, _) = c.release(g, .success(latency: .zero, usage: Usage(promptTokens: 50, completionTokens: 50)), now: .zero)
        #expect(resolutions.count == 1)
        #expect(c.members[0].limiter.snapshot.tpm!.level(at: .zero) == 300)
    }

    @Test("a member cooled while others wait ends their round; with nothing tried they wait for its recovery")
    func coreCooldownWhileWaiting() {
        var c = core([DeploymentSettings(maxConcurrency: 1), DeploymentSettings(maxConcurrency: 1)])
        let g0 = try! #require(grant(c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero).0))
        let g1 = try! #require(grant(c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero).0))
        #expect(g0.member != g1.member)
        // A request that already tried member 1 waits for member 0; a fresh one waits for either.
        let r2 = c.acquire(excluding: [g1.member], tokens: 1, deadline: .seconds(60), now: .zero).0
        #expect(r2 == .wait(id: 1))
        let r3 = c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero).0
        #expect(r3 == .wait(id: 2))
        let (resolutions, cooled) = c.release(g0, .failure(MemberFailure.status(401), .coolAndMove), now: .seconds(1))
        #expect(cooled)
        #expect(resolutions == [Resolution(id: 1, outcome: .exhausted)])
        #expect(c.waiters.map(\.id) == [2])
        #expect(c.earliestWake == .seconds(6), "member 0 recovers at 1 s + 5 s")
    }

    @Test("a tick grants waiters whose budget refilled, and times out those past their deadline")
    func coreTick() {
        var c = core([DeploymentSettings(rpm: 60)])
        for _ in 0..<60 {
            let decision = c.acquire(excluding: [], tokens: 1, deadline: .seconds(2), now: .zero).0
            #expect(grant(decision) != nil)
        }
        let r4 = c.acquire(excluding: [], tokens: 1, deadline: .seconds(2), now: .zero).0
        #expect(r4 == .wait(id: 1))
        let r5 = c.acquire(excluding: [], tokens: 1, deadline: .milliseconds(1_500), now: .zero).0
        #expect(r5 == .wait(id: 2))
        let r6 = c.tick(now: .milliseconds(999))
        #expect(r6.isEmpty)
        let first = c.tick(now: .seconds(1))
        #expect(first.map(\.id) == [1])
        #expect(c.earliestWake == .milliseconds(1_500), "the second waiter's deadline comes before its refill")
        let second = c.tick(now: .milliseconds(1_500))
        #expect(second.map(\.outcome) == [.timedOut])
        #expect(c.queueTimeouts == 1)
    }

    @Test("cancel removes a waiter")
    func coreCancel() {
        var c = core([DeploymentSettings(maxConcurrency: 1)])
        _ = c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero)
        let r7 = c.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero).0
        #expect(r7 == .wait(id: 1))
        let r8 = c.cancel(1, now: .zero).0
        #expect(r8)
        let r9 = c.cancel(1, now: .zero).0
        #expect(!r9)
        #expect(c.waiters.isEmpty)
        #expect(c.earliestWake == nil)
    }

    @Test("with every member tried the round is over; with none, an empty balancer is exhausted")
    func coreExhausted() {
        var c = core([.default, .default])
        let r10 = c.acquire(excluding: [0, 1], tokens: 1, deadline: .seconds(60), now: .zero).0
        #expect(r10 == .done(.exhausted))
        var empty = core([])
        let r11 = empty.acquire(excluding: [], tokens: 1, deadline: .seconds(60), now: .zero).0
        #expect(r11 == .done(.exhausted))
    }
}
