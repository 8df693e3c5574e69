import Foundation
import Logging
import Synchronization
import Testing

@testable import onesim_models

/// The serve command's batched access log: whole lines, in order, written when the batch is
/// full or flushed, nothing lost.
@Suite("Buffered access log")
struct BufferedLogHandlerTests {
    final class Batches: Sendable {
        let written = Mutex<[[UInt8]]>([])
        var text: String { written.withLock { String(decoding: $0.joined(), as: UTF8.self) } }
        var count: Int { written.withLock { $0.count } }
    }

    @Test func linesWaitForTheBatchToFillOrAFlush() {
        let batches = Batches()
        let sink = BufferedLineSink(limit: 100) { bytes in batches.written.withLock { $0.append(bytes) } }
        sink.append("first")
        sink.append("second")
        #expect(batches.count == 0, "nothing written before the batch is full")
        sink.flush()
        #expect(batches.text == "first\nsecond\n")
        sink.append(String(repeating: "x", count: 120))
        #expect(batches.count == 2, "a full batch is written by the thread that filled it")
        sink.flush()
        #expect(batches.count == 2, "an empty flush writes nothing")
    }

    @Test func linesFromManyThreadsArriveWholeAndNoneIsLost() async {
        let batches = Batches()
        let sink = BufferedLineSink(limit: 4_096) { bytes in batches.written.withLock { $0.append(bytes) } }
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for i in 0..<1_000 { sink.append("writer \(writer) line \(i)") }
                }
            }
        }
        sink.flush()
        let lines = batches.text.split(separator: "\n")
        #expect(lines.count == 8_000)
        for writer in 0..<8 {
            let mine = lines.filter { $0.hasPrefix("writer \(writer) ") }.map(String.init)
            #expect(mine == (0..<1_000).map { "writer \(writer) line \($0)" }, "writer \(writer)'s lines whole and in order")
        }
    }

    @Test func theHandlerFormatsLikeTheStreamHandlerWithSortedMetadata() {
        let batches = Batches()
        let sink = BufferedLineSink(limit: 1 << 20) { bytes in batches.written.withLock { $0.append(bytes) } }
        let logger = Logger(label: "onesim.gateway.access") { label in BufferedLogHandler(label: label, sink: sink) }
        logger.info("POST /v1/chat/completions 200", metadata: ["status": "200", "model": "lb"])
        logger.debug("below the level")
        sink.flush()
        let line = batches.text
        #expect(line.hasSuffix(" info onesim.gateway.access: model=lb status=200 POST /v1/chat/completions 200\n"), "\(line)")
        #expect(line.split(separator: "\n").count == 1)
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(BufferedLogHandler.timestamp(Date(timeIntervalSince1970: 1_796_000_523.456)) == "2026-11-30T01:02:03.456Z")
        #expect(BufferedLogHandler.timestamp(Date(timeIntervalSince1970: .infinity)) == "-")
    }
}
