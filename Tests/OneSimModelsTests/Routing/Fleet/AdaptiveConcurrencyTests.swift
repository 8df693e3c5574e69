import Testing

@testable import OneSimModelsCore
@testable import OneSimModelsRouting

/// The learned concurrency limit, event by event (no clock, no sleeps).
@Suite("Fleet dispatch: learned limits")
struct AdaptiveConcurrencyTests {
    /// A success of `latency` seconds for 100 output tokens and no prompt.
    func success(_ a: inout AdaptiveConcurrency, seconds: Double, inFlight: Int, at now: Duration, ceiling: Int? = nil) {
        a.succeeded(
            latency: .milliseconds(Int64(seconds * 1000)), promptTokens: 0, outputTokens: 100, inFlightAtStart: inFlight,
            now: now, reportInterval: nil, ceiling: ceiling)
    }

    @Test("slow start adds one per success that used at least half the limit; idle successes add nothing")
    func slowStart() {
        var a = AdaptiveConcurrency()
        #expect(a.limit == AdaptiveConcurrency.initialLimit)
        success(&a, seconds: 1, inFlight: 32, at: .seconds(1))
        #expect(a.limit == 33)
        success(&a, seconds: 1, inFlight: 2, at: .seconds(2))
        #expect(a.limit == 33, "a request that started with the member almost idle says nothing about its limit")
        for i in 0..<10 { success(&a, seconds: 1, inFlight: 40, at: .seconds(3 + Int64(i))) }
        #expect(a.limit == 43)
        #expect(a.slowStart)
        #expect(a.source == .latency)
    }

    @Test("a slow sample cuts the limit to 80 %, once per round trip; then growth is additive")
    func congestion() {
        var a = AdaptiveConcurrency()
        success(&a, seconds: 1, inFlight: 32, at: .seconds(1))  // baseline 10 ms per token, limit 33
        success(&a, seconds: 3, inFlight: 33, at: .seconds(10))  // 3 x the baseline
        #expect(abs(a.limit - 33 * 0.8) < 1e-9)
        #expect(!a.slowStart)
        success(&a, seconds: 3, inFlight: 33, at: .seconds(12))  // within the 3 s round trip of the cut
        #expect(abs(a.limit - 33 * 0.8) < 1e-9, "requests of the same congestion count once")
        success(&a, seconds: 3, inFlight: 33, at: .seconds(14))
        #expect(abs(a.limit - 33 * 0.8 * 0.8) < 1e-9)
        let before = a.limit
        success(&a, seconds: 1, inFlight: 30, at: .seconds(20))
        #expect(abs(a.limit - (before + 1 / before)) < 1e-9, "after slow start: one per limit successes")
    }

    @Test("429 and 503 cut the limit; the configured max_concurrency is a ceiling; the floor is 1")
    func overloadAndBounds() {
        var a = AdaptiveConcurrency()
        a.overloaded(now: .seconds(1), latency: .zero)
        #expect(abs(a.limit - 32 * 0.8) < 1e-9)
        #expect(a.effectiveLimit(ceiling: 4) == 4)
        #expect(a.effectiveLimit(ceiling: nil) == 25)
        for i in 0..<100 { a.overloaded(now: .seconds(2 + Int64(i)), latency: .zero) }
        #expect(a.effectiveLimit(ceiling: nil) == 1)
        var b = AdaptiveConcurrency()
        for i in 0..<50 { success(&b, seconds: 1, inFlight: 100, at: .seconds(Int64(i)), ceiling: 40) }
        #expect(b.limit == 40)
    }

    @Test("a deployment learns nothing until a fleet balancer or a server report starts it; then its learned limit bounds its slots")
    func deploymentLearnsOnceStarted() {
        let settings = DeploymentSettings(maxConcurrency: 4)
        let untouched = DeploymentLimits(settings, now: .zero)
        var limits = untouched
        limits.learn(latency: .seconds(1), usage: Usage(promptTokens: 0, completionTokens: 100), inFlightAtStart: 4, at: .seconds(1))
        limits.learnOverload(latency: .zero, at: .seconds(2))
        #expect(limits.adaptive == nil && limits.learnedLimit == nil)
        #expect(limits == untouched, "successes and overloads before learning starts change nothing")
        #expect(limits.othersLoad(at: .seconds(3)) == 0)

        limits.enableLearning()
        #expect(limits.adaptive?.limit == AdaptiveConcurrency.initialLimit)
        #expect(limits.learnedLimit == 4, "the configured max_concurrency stays a ceiling")
        limits.learnOverload(latency: .zero, at: .seconds(4))
        limits.enableLearning()
        #expect(limits.adaptive?.limit == AdaptiveConcurrency.initialLimit * 0.8, "starting again keeps what was learned")
        var open = DeploymentLimits(DeploymentSettings(), now: .zero)
        open.enableLearning()
        for i in 0..<100 { open.learnOverload(latency: .zero, at: .seconds(5 + Int64(i))) }
        #expect(open.learnedLimit == 1)
        #expect(open.hasFreeSlot(learned: false) && open.hasFreeSlot(learned: true))
        let started = open.tryStart(tokens: 1, at: .seconds(200), learned: true)
        #expect(started)
        #expect(!open.hasFreeSlot(learned: true), "one request fills a learned limit of 1")
        #expect(open.hasFreeSlot(learned: false), "strategies that do not learn see no limit")

        var reported = DeploymentLimits(DeploymentSettings(), now: .zero)
        reported.observe(ServerLoad(running: 16, waiting: 3), at: .seconds(1))
        #expect(reported.adaptive != nil, "a server's report starts learning")
    }

    @Test("a server that queues shows its slot count; other clients' requests are left to them")
    func serverReports() {
        var a = AdaptiveConcurrency()
        a.observe(ServerLoad(running: 10, waiting: 0), ownInFlight: 24, at: .seconds(1), ceiling: nil)
        #expect(a.limit == 48, "no queue while most of the limit is used: grow by half")
        a.observe(ServerLoad(running: 16, waiting: 8), ownInFlight: 24, at: .seconds(2), ceiling: nil)
        #expect(a.limit == 16)
        #expect(a.source == .server)
        a.observe(ServerLoad(running: 16, waiting: 12), ownInFlight: 20, at: .seconds(3), ceiling: nil)
        #expect(a.limit == 8, "another client holds 8 of the server's 16 slots")
        #expect(a.othersLoad(at: .seconds(3), interval: .seconds(1)) == 8)
    }

    @Test("a stale report is ignored: latency rules the limit again")
    func staleReport() {
        var a = AdaptiveConcurrency()
        a.observe(ServerLoad(running: 4, waiting: 2), ownInFlight: 6, at: .seconds(1), ceiling: nil)
        #expect(a.limit == 4)
        #expect(a.reportIsFresh(at: .seconds(3), interval: .seconds(1)))
        a.succeeded(
            latency: .seconds(1), promptTokens: 0, outputTokens: 100, inFlightAtStart: 4, now: .seconds(2),
            reportInterval: .seconds(1), ceiling: nil)
        #expect(a.limit == 4, "a fresh report rules")
        #expect(!a.reportIsFresh(at: .milliseconds(3_001), interval: .seconds(1)))
        #expect(a.othersLoad(at: .seconds(4), interval: .seconds(1)) == 0)
        a.succeeded(
            latency: .seconds(1), promptTokens: 0, outputTokens: 100, inFlightAtStart: 4, now: .seconds(4),
            reportInterval: .seconds(1), ceiling: nil)
        #expect(a.limit == 4, "two intervals without a report: back to latency, but not past the slots the server showed")
        a.overloaded(now: .seconds(5), latency: .zero)
        #expect(a.limit < 4, "latency and overload rule the stale member")
    }

    @Test("requests that start and end while a report is on its way are not taken for other clients' load")
    func reportWindow() {
        var limits = DeploymentLimits(.default, now: .zero)
        for _ in 0..<3 { _ = limits.tryStart(tokens: 1, at: .zero) }
        let asked = limits.progress
        for _ in 0..<2 { _ = limits.tryStart(tokens: 1, at: .zero) }
        for _ in 0..<4 { limits.end(refund: 0, at: .zero) }
        // The server saw 5 of ours (2 running, 3 waiting) at some moment in between.
        limits.observe(ServerLoad(running: 2, waiting: 3), at: .seconds(1), asked: asked)
        #expect(limits.adaptive?.limit == 2, "its slots, none held by others")
        var naive = DeploymentLimits(.default, now: .zero)
        naive.observe(ServerLoad(running: 2, waiting: 3), at: .seconds(1))
        #expect(naive.adaptive?.limit == 1, "without the window, all 5 look like another client's")
    }

    /// A learner after one success of 1 s for 100 output tokens at full use: baseline 10 ms per
    /// unit, limit 33, still in slow start.
    func learnerAtBaseline() -> AdaptiveConcurrency {
        var a = AdaptiveConcurrency()
        success(&a, seconds: 1, inFlight: 32, at: .seconds(1))
        return a
    }

    @Test("prompt tokens served from the prefix cache count no work: a cached call's slowdown is seen")
    func cachedTokensCountNoWork() {
        // 2,000 prompt tokens (100 units of prefill if uncached) and 100 output tokens in 2 s.
        var cached = learnerAtBaseline()
        cached.succeeded(
            latency: .seconds(2), promptTokens: 2_000, reportedCachedTokens: 2_000, outputTokens: 100, inFlightAtStart: 33,
            now: .seconds(10), reportInterval: nil, ceiling: nil)
        #expect(abs(cached.limit - 33 * 0.8) < 1e-9, "20 ms per unit of real work: twice the baseline, congestion")
        var counted = learnerAtBaseline()
        counted.succeeded(
            latency: .seconds(2), promptTokens: 2_000, outputTokens: 100, inFlightAtStart: 33, now: .seconds(10),
            reportInterval: nil, ceiling: nil)
        #expect(counted.limit == 34, "the same call with its cached prompt counted as prefill looks like 10 ms per unit")
        var partly = learnerAtBaseline()
        partly.succeeded(
            latency: .milliseconds(1_700), promptTokens: 2_000, reportedCachedTokens: 1_000, outputTokens: 100, inFlightAtStart: 33,
            now: .seconds(10), reportInterval: nil, ceiling: nil)
        #expect(partly.limit == 34, "150 units in 1.7 s: 11.3 ms per unit, within the tolerance")
    }

    @Test("once a server has reported cached tokens, its 0 is a miss; before, the index's share stands in")
    func aReportedZeroIsAMiss() {
        // 2,000 prompt tokens and 100 output tokens in 3 s; the index held the whole prompt.
        func miss(_ a: inout AdaptiveConcurrency) {
            a.succeeded(
                latency: .seconds(3), promptTokens: 2_000, reportedCachedTokens: 0, cachedShare: 1, outputTokens: 100,
                inFlightAtStart: 33, now: .seconds(10), reportInterval: nil, ceiling: nil)
        }
        var silent = learnerAtBaseline()
        miss(&silent)
        #expect(!silent.serverReportsCachedTokens)
        #expect(abs(silent.limit - 33 * 0.8) < 1e-9, "taken as cached: 100 units in 3 s, three times the baseline")
        var reporting = learnerAtBaseline()
        reporting.succeeded(
            latency: .milliseconds(1_100), promptTokens: 2_000, reportedCachedTokens: 2_000, outputTokens: 100, inFlightAtStart: 33,
            now: .seconds(5), reportInterval: nil, ceiling: nil)
        #expect(reporting.serverReportsCachedTokens)
        let before = reporting.limit
        miss(&reporting)
        #expect(reporting.limit > before, "a reported miss: 200 units in 3 s, 15 ms each, within the tolerance")
    }

    @Test("cached tokens: the server's report, else the index's share of the prompt; never out of range")
    func cachedTokenSources() {
        #expect(AdaptiveConcurrency.cachedTokens(reported: 640, promptTokens: 1_000, share: 0.9) == 640)
        #expect(AdaptiveConcurrency.cachedTokens(reported: 0, promptTokens: 1_000, share: 0.75) == 750)
        #expect(AdaptiveConcurrency.cachedTokens(reported: 5_000, promptTokens: 1_000, share: 0) == 1_000)
        #expect(AdaptiveConcurrency.cachedTokens(reported: 0, promptTokens: 1_000, share: 7) == 1_000)
        for share in [-1, .nan, .infinity, -.infinity, 0] as [Double] {
            #expect(AdaptiveConcurrency.cachedTokens(reported: 0, promptTokens: 1_000, share: share) == 0)
        }
        #expect(AdaptiveConcurrency.cachedTokens(reported: 0, promptTokens: 1_000, share: 0.75, serverReports: true) == 0)
        #expect(AdaptiveConcurrency.cachedTokens(reported: -5, promptTokens: -5, share: 1) == 0)
        // The largest counts go through a Double and back without trapping, and stay in range.
        #expect(AdaptiveConcurrency.cachedTokens(reported: 0, promptTokens: .max, share: 1) == .max)
        #expect(AdaptiveConcurrency.cachedTokens(reported: 0, promptTokens: .max, share: 1.0.nextDown) == .max - 1_023)
        #expect(AdaptiveConcurrency.cachedTokens(reported: 0, promptTokens: .max, share: 0.5) == Int.max / 2 + 1)
        #expect(AdaptiveConcurrency.cachedTokens(reported: .max, promptTokens: .max, share: 0) == .max)
        // Usage decoded from a reply is untrusted: extreme counts must not trap.
        var a = AdaptiveConcurrency()
        a.succeeded(
            latency: .seconds(1), promptTokens: .min, reportedCachedTokens: .max, cachedShare: .nan, outputTokens: .min, inFlightAtStart: .max,
            now: .seconds(1), reportInterval: nil, ceiling: nil)
        a.succeeded(
            latency: .seconds(1), promptTokens: .max, reportedCachedTokens: .min, cachedShare: .infinity, outputTokens: .max, inFlightAtStart: .min,
            now: .seconds(2), reportInterval: nil, ceiling: nil)
        #expect(a.limit.isFinite && a.limit >= AdaptiveConcurrency.minimumLimit)
        #expect(a.baseline.map { $0.isFinite && $0 >= 0 } ?? false, "a sample was taken, and it is a number")
    }
}
