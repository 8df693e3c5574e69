import Foundation
import NIOHTTP1
import Testing

@testable import OneSimModels

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
