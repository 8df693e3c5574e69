import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("NDJSON decoder")
struct NDJSONDecoderTests {
    @Test func linesSplitAcrossChunksAndInsideUTF8AreCarriedOver() {
        let text = "{\"a\":\"héllo 🌍\"}\n{\"b\":2}\r\n\n{\"c\":3}"
        let bytes = Array(text.utf8)
        for size in 1...bytes.count {
            var decoder = NDJSONDecoder()
            var lines: [String] = []
            var start = 0
            while start < bytes.count {
                lines += decoder.feed(bytes[start..<min(bytes.count, start + size)])
                start += size
            }
            #expect(decoder.hasPendingInput)  // the last line has no line end yet
            lines += decoder.finish()
            #expect(lines == ["{\"a\":\"héllo 🌍\"}", "{\"b\":2}", "{\"c\":3}"], "chunk size \(size)")
            #expect(!decoder.hasPendingInput)
        }
    }

    @Test func blankLinesAreSkippedAndNothingIsInventedAtTheEnd() {
        var decoder = NDJSONDecoder()
        #expect(decoder.feed(Array("\n  \n\r\n{\"x\":1}\n".utf8)) == ["{\"x\":1}"])
        #expect(decoder.finish().isEmpty)
    }
}
