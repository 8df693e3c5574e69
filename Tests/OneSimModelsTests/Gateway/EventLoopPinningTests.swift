import NIOCore
import NIOPosix
import Testing

@testable import OneSimModelsGateway

@Suite("Gateway: event-loop pinning and request ids")
struct EventLoopPinningTests {
    @Test func aTaskPreferringAnEventLoopStaysOnItAcrossSuspensions() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let seen = await withTaskExecutorPreference(EventLoopTaskExecutor(loop)) { () async -> [Bool] in
            var seen = [loop.inEventLoop]
            await Task.yield()
            seen.append(loop.inEventLoop)
            // Resumed by a future completed on another thread: back on the loop.
            let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
            let other = loops.first { $0 !== loop } ?? loop
            _ = try? await other.submit { 1 }.get()
            seen.append(loop.inEventLoop)
            // A child task inherits the preference.
            async let child = loop.inEventLoop
            seen.append(await child)
            return seen
        }
        #expect(seen == [true, true, true, true])
    }

    @Test func requestIDsAreUUIDShapedAndUnique() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let id = RequestID.next()
            #expect(id.utf8.count == 36)
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
        let id = RequestID.format(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210)
        #expect(id == "01234567-89ab-cdef-fedc-ba9876543210")
        #expect(RequestID.format(high: 0, low: 1) == "00000000-0000-0000-0000-000000000001")
    }
}
