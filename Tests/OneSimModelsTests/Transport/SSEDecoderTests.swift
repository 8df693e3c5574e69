import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("SSE decoder")
struct SSEDecoderTests {
    static func encode(_ events: [SSEEvent], lineEnd: String = "\n") -> [UInt8] {
        var text = ": keep-alive comment" + lineEnd
        for event in events {
            if event.event != "message" { text += "event: \(event.event)" + lineEnd }
            for line in event.data.split(separator: "\n", omittingEmptySubsequences: false) {
                text += "data: \(line)" + lineEnd
            }
            text += lineEnd
        }
        return Array(text.utf8)
    }

    static let sample: [SSEEvent] = [
        SSEEvent(data: #"{"choices":[{"delta":{"content":"héllo 😀 世界"}}]}"#),
        SSEEvent(event: "content_block_delta", data: "line one\nline two"),
        SSEEvent(data: ""),
        SSEEvent(data: "[DONE]"),
    ]

    @Test(arguments: ["\n", "\r\n", "\r"])
    func decodesWholeInput(lineEnd: String) {
        var decoder = SSEDecoder()
        let events = decoder.feed(Self.encode(Self.sample, lineEnd: lineEnd))
        #expect(events == Self.sample)
        #expect(decoder.finish().isEmpty)
    }

    @Test func splitAnywhereIncludingInsideUTF8() {
        let bytes = Self.encode(Self.sample, lineEnd: "\r\n")
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<300 {
            var decoder = SSEDecoder()
            var events: [SSEEvent] = []
            var index = 0
            while index < bytes.count {
                let size = trial == 0 ? 1 : Int.random(in: 1...12, using: &rng)
                let end = min(bytes.count, index + size)
                events += decoder.feed(bytes[index..<end])
                index = end
            }
            events += decoder.finish()
            #expect(events == Self.sample)
        }
    }

    @Test func finishReturnsAnEventWithoutTrailingBlankLine() {
        var decoder = SSEDecoder()
        #expect(decoder.feed(Array("data: tail".utf8)).isEmpty)
        #expect(decoder.hasPendingInput)
        #expect(decoder.finish() == [SSEEvent(data: "tail")])
    }

    @Test func ignoresCommentsAndUnknownFields() {
        var decoder = SSEDecoder()
        let events = decoder.feed(Array(": ping\nretry: 100\nfoo: bar\ndata:no-space\n\n".utf8))
        #expect(events == [SSEEvent(data: "no-space")])
    }
}
