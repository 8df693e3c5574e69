import PropertyBased
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Durations from outside numbers")
struct SafeDurationTests {
    @Test func clampsHugeValuesAndRefusesNegativeOrNaN() {
        #expect(Duration.clamped(seconds: 1.5) == .milliseconds(1500))
        #expect(Duration.clamped(seconds: 0) == .zero)
        #expect(Duration.clamped(seconds: 1e10) == .practicallyForever)
        #expect(Duration.clamped(seconds: 9.3e15) == .practicallyForever)
        #expect(Duration.clamped(seconds: .infinity) == .practicallyForever)
        #expect(Duration.clamped(seconds: .greatestFiniteMagnitude) == .practicallyForever)
        #expect(Duration.clamped(seconds: -1) == nil)
        #expect(Duration.clamped(seconds: -.infinity) == nil)
        #expect(Duration.clamped(seconds: .nan) == nil)
        #expect(Duration.clamped(milliseconds: 1e30) == .practicallyForever)
        #expect(Duration.clamped(seconds: .leastNonzeroMagnitude) == .nanoseconds(1))
    }

    @Test func anyDoubleConvertsWithoutTrapping() async {
        let doubles = Generator<Double, Shrink.None<Double>> { rng in
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return Double(bitPattern: rng.next())
            case 1: return Double.random(in: -1e20...1e20, using: &rng)
            default: return [0, -0.0, .infinity, -.infinity, .nan, 9.2e15, 9.3e9, 1e300, .ulpOfOne][Int(rng.next() % 9)]
            }
        }
        await propertyCheck(count: 2_000, input: doubles) { value in
            let seconds = Duration.clamped(seconds: value)
            let milliseconds = Duration.clamped(milliseconds: value)
            #expect((seconds == nil) == (value.isNaN || value < 0))
            #expect((milliseconds == nil) == (value.isNaN || value < 0))
            for duration in [seconds, milliseconds].compactMap({ $0 }) {
                #expect(duration >= .zero && duration <= .practicallyForever)
                #expect(duration.timeAmount.nanoseconds >= 0)
            }
        }
    }

    @Test func timeAmountSaturates() {
        #expect(Duration.seconds(Int64.max).timeAmount.nanoseconds == Duration.practicallyForever.timeAmount.nanoseconds)
        #expect(Duration.seconds(1e10).timeAmount == Duration.practicallyForever.timeAmount)
        #expect(Duration.seconds(-5).timeAmount.nanoseconds == 0)
        #expect(Duration.milliseconds(1500).timeAmount.nanoseconds == 1_500_000_000)
    }

    @Test func saturatingCounts() {
        #expect(Int.max.saturatingAdd(1) == .max)
        #expect(Int.min.saturatingAdd(-1) == .min)
        #expect(Int.min.saturatingSubtract(1) == .min)
        #expect(5.saturatingAdd(-7) == -2)
        let big = Usage(promptTokens: .max, completionTokens: 5)
        #expect(big.totalTokens == .max)
        #expect((big + big).promptTokens == .max)
    }
}
