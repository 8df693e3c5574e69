import Testing

@testable import OneSimModelsRouting

/// The members' p50/p99 estimate: a bounded log-bucket histogram over a sliding minute, in
/// injected time.
@Suite("Latency window")
struct LatencyWindowTests {
    @Test func quantilesAreWithinTheBucketErrorOfTheTruth() throws {
        var window = LatencyWindow()
        // 1 ms ... 1000 ms, one each: p50 is about 500 ms, p99 about 990 ms.
        for ms in 1...1000 { window.record(.milliseconds(ms), at: .seconds(5)) }
        let p50 = try #require(window.quantile(0.5, at: .seconds(5))).seconds
        let p99 = try #require(window.quantile(0.99, at: .seconds(5))).seconds
        #expect(abs(p50 - 0.5) / 0.5 < 0.1, "p50 \(p50)")
        #expect(abs(p99 - 0.99) / 0.99 < 0.1, "p99 \(p99)")
        #expect(try #require(window.quantile(0, at: .seconds(5))) <= .milliseconds(2))
    }

    @Test func anEmptyWindowHasNoQuantile() {
        #expect(LatencyWindow().quantile(0.5, at: .seconds(1)) == nil)
    }

    @Test func samplesLeaveTheWindowAfterAMinute() throws {
        var window = LatencyWindow()
        window.record(.seconds(2), at: .seconds(1))
        window.record(.milliseconds(10), at: .seconds(45))
        // Both inside the window: the slow one is the p99.
        #expect(try #require(window.quantile(0.99, at: .seconds(50))) > .seconds(1))
        // At 61 s the first slot (0-10 s) is out; only the fast sample is left.
        #expect(try #require(window.quantile(0.99, at: .seconds(61))) < .milliseconds(20))
        // Long after, nothing is left; a new sample reuses a slot and counts alone.
        #expect(window.quantile(0.5, at: .seconds(500)) == nil)
        window.record(.milliseconds(100), at: .seconds(500))
        let p50 = try #require(window.quantile(0.5, at: .seconds(500))).seconds
        #expect(abs(p50 - 0.1) / 0.1 < 0.1)
    }

    @Test func outOfRangeValuesLandInTheEndBuckets() throws {
        var window = LatencyWindow()
        window.record(.zero, at: .zero)
        window.record(.seconds(-3), at: .zero)
        window.record(.seconds(1_000_000), at: .zero)
        #expect(LatencyWindow.bucket(.nan) == 0 && LatencyWindow.bucket(-.infinity) == 0)
        #expect(LatencyWindow.bucket(.infinity) == LatencyWindow.buckets - 1)
        #expect(try #require(window.quantile(0.1, at: .zero)) == .seconds(LatencyWindow.floor))
        #expect(try #require(window.quantile(1, at: .zero)) == .seconds(LatencyWindow.representative(LatencyWindow.buckets - 1)))
        #expect(window.quantile(.nan, at: .zero) != nil)
        // Time before the clock's origin does not trap either.
        window.record(.milliseconds(5), at: .seconds(-25))
        #expect(window.quantile(0.5, at: .seconds(-25)) != nil)
    }

    @Test func everyBucketRepresentsItsOwnRange() {
        for b in 1..<(LatencyWindow.buckets - 1) {
            #expect(LatencyWindow.bucket(LatencyWindow.representative(b)) == b)
        }
    }
}
