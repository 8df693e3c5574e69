import Foundation
import NIOHTTP1
import PropertyBased
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Retry-After parsing")
struct RetryAfterTests {
    @Test func millisecondsWin() {
        let headers = HTTPHeaders([("retry-after-ms", "1500"), ("retry-after", "9")])
        #expect(RetryAfter.parse(headers) == .milliseconds(1500))
    }

    @Test func secondsWithFractions() {
        #expect(RetryAfter.parse(HTTPHeaders([("Retry-After", "2")])) == .seconds(2))
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after", "0.25")])) == .milliseconds(250))
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after", "0")])) == nil)
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after", "soon")])) == nil)
        #expect(RetryAfter.parse(HTTPHeaders()) == nil)
    }

    @Test func httpDate() {
        let now = Date(timeIntervalSince1970: 1_445_412_470)  // Wed, 21 Oct 2015 07:27:50 GMT
        let headers = HTTPHeaders([("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")])
        #expect(RetryAfter.parse(headers, now: now) == .seconds(10))
    }
}

/// Hostile `Retry-After`, `retry-after-ms` and Gemini `retryDelay` values: none may trap
/// (a server that answers `Retry-After: 1e30` used to kill the process), and only plain
/// decimal numbers count.
@Suite("Retry-After from untrusted servers")
struct RetryAfterHostileTests {
    static let hostile = [
        "1e30", "99999999999999999999", "Infinity", "-Infinity", "inf", "nan", "NaN", "-5", "0x10", "0X1p4", "1e3",
        "+5", "5.", ".5", "1.2.3", "١٢", "", " ", "9223372036854775807", "9223372036854775808",
        "18446744073709551616", String(repeating: "9", count: 10_000), String(repeating: "9", count: 40),
        "0." + String(repeating: "0", count: 37) + "1", "\u{0}", "5\u{0}",
    ]

    @Test(arguments: hostile)
    func neverTrapsAndStaysInRange(_ value: String) {
        for name in ["retry-after", "retry-after-ms"] {
            let wait = RetryAfter.parse(HTTPHeaders([(name, value)]))
            if let wait { #expect(wait > .zero && wait <= .practicallyForever, "\(name): \(value.prefix(40))") }
        }
        if let wait = RetryAfter.parseProtobufDuration(value + "s") {
            #expect(wait > .zero && wait <= .practicallyForever)
        }
    }

    @Test func onlyPlainDecimalsCount() {
        for value in ["1e30", "Infinity", "inf", "nan", "0x10", "+5", "-5", "1e3", "1.2.3", String(repeating: "9", count: 10_000)] {
            #expect(RetryAfter.parse(HTTPHeaders([("retry-after", value)])) == nil, "\(value.prefix(40))")
            #expect(RetryAfter.parse(HTTPHeaders([("retry-after-ms", value)])) == nil, "\(value.prefix(40))")
            #expect(RetryAfter.parseProtobufDuration(value + "s") == nil, "\(value.prefix(40))")
        }
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after", " 7 ")])) == .seconds(7))
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after", "5.")])) == .seconds(5))
        #expect(RetryAfter.parse(HTTPHeaders([("retry-after-ms", ".5")])) == .microseconds(500))
        #expect(RetryAfter.parseProtobufDuration("1.5s") == .milliseconds(1500))
    }

    /// Foundation's DateFormatter trapped on combining marks in a `Retry-After` value; dates
    /// are now read by hand, exactly in the IMF-fixdate shape.
    @Test func datesAreReadExactly() {
        let now = Date(timeIntervalSince1970: 0)
        for (text, seconds) in [
            ("Thu, 01 Jan 1970 00:00:10 GMT", 10.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 1_445_412_480),
            ("Tue, 29 Feb 2028 23:59:59 GMT", 1_835_481_599), ("Mon, 01 Mar 2100 00:00:00 GMT", 4_107_542_400),
        ] {
            #expect(RetryAfter.httpDate(text)?.timeIntervalSince(now) == seconds, "\(text)")
        }
        for text in ["t\u{34E}//\u{32C} l*/", "Wed, 21 Oct 2015 07:28:00 UTC", "Wed, 21 Oct 2015 25:28:00 GMT",
            "Wed, 21 Foo 2015 07:28:00 GMT", "Wed,21 Oct 2015 07:28:00 GMT ", "Wed, 2x Oct 2015 07:28:00 GMT",
            "Wed, 21 Oct 2015 07:28:00 GMT\u{301}", ""]
        {
            #expect(RetryAfter.httpDate(text) == nil, "\(text)")
            #expect(RetryAfter.parse(HTTPHeaders([("retry-after", text)])) == nil)
        }
    }

    @Test func hugeWaitsAreClampedToForever() {
        for value in ["99999999999999999999", "9223372036854775808", String(repeating: "9", count: 40)] {
            #expect(RetryAfter.parse(HTTPHeaders([("retry-after", value)])) == .practicallyForever)
            #expect(RetryAfter.parse(HTTPHeaders([("retry-after-ms", value)])) == .practicallyForever)
            #expect(RetryAfter.parseProtobufDuration(value + "s") == .practicallyForever)
        }
    }

    @Test func randomTextNeverTraps() async {
        let text = Generator<String, Shrink.None<String>> { rng in
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return "\(Double(bitPattern: rng.next()))"
            case 1: return String(rng.next() % 100_000_000_000) + "." + String(rng.next())
            case 2: return String(rng.next()) + String(rng.next()) + String(rng.next())
            default: return randomString(&rng)
            }
        }
        await propertyCheck(count: 500, input: text) { value in
            for name in ["retry-after", "retry-after-ms"] {
                if let wait = RetryAfter.parse(HTTPHeaders([(name, value)])) {
                    #expect(wait > .zero && wait <= .practicallyForever)
                }
            }
            if let wait = RetryAfter.parseProtobufDuration(value) { #expect(wait <= .practicallyForever) }
        }
    }

    /// A server that answers 429 with a hostile `Retry-After`, with and without a balancer: the
    /// call ends with an error or succeeds on retry (no trap, no wait of 1e30 seconds).
    @Test func hostileHeadersOverHTTP() async throws {
        try await withSimulator { simulator, manager in
            try manager.loadModelConfigs(json: "[" + chatConfig("a", simulator) + "]")
            for value in ["1e30", "99999999999999999999", "Infinity", "0x10", "nan"] {
                for header in ["Retry-After", "retry-after-ms"] {
                    // A bare adapter retries once: a huge wait is refused (final error), an
                    // unreadable one is ignored (backoff, then the retry succeeds).
                    simulator.reset()
                    simulator.enqueue(.fail(.status(429, type: "rate_limit_exceeded", headers: [header: value])), .normal)
                    do {
                        let response = try await manager.getModel(configName: "a").acall("hi", options: CallOptions(maxRetries: 1))
                        #expect(response.text?.isEmpty == false)
                    } catch let error as ModelError {
                        #expect(error.kind == .rateLimited, "\(error)")
                    }
                    // A fresh balancer that does not retry: the member's error comes back.
                    simulator.reset()
                    simulator.enqueue(.fail(.status(429, type: "rate_limit_exceeded", headers: [header: value])))
                    try manager.configureLoadBalancer(modelConfigs: ["a"], configName: "lb", options: ["queue_timeout": 5])
                    let error = await captureModelError {
                        _ = try await manager.getModel(configName: "lb").acall("hi", options: CallOptions(maxRetries: 0))
                    }
                    #expect(error != nil)
                }
            }
        }
    }
}
