// libFuzzer harnesses for every parser of outside input. Built only with
// `ONESIM_FUZZ=1 swift build --product onesim-fuzz -Xswiftc -sanitize=fuzzer,address` (see
// Fuzz/run.sh); the target is chosen with the environment variable ONESIM_FUZZ_TARGET, and
// every other argument is libFuzzer's.
// Each harness only has to return: a trap, an overflow or a memory error is the finding.
import Foundation
import NIOCore
import NIOHTTP1

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsGateway
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// The harnesses, by name.
let targets: [String: @Sendable ([UInt8]) -> Void] = [
    "json": { bytes in _ = try? JSONCodec.parse(bytes) },
    "json-repair": { bytes in
        if let repaired = JSONRepair.repair(bytes) { _ = try? JSONCodec.parse(repaired) }
    },
    "parsers": { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? JSONBlockParser().parse(text)
        _ = try? JSONBlockParser(strict: true).parse(text)
        _ = try? JSONDictParser().parse(text)
        _ = try? CodeBlockParser().parse(text)
        _ = try? CodeBlockParser(language: "python").parse(text)
        _ = try? TagParser(tagStart: "<a>", tagEnd: "</a>").parse(text)
    },
    "sse": { bytes in
        // The bytes arrive in chunks cut at every 0x00 byte, as a network would cut them.
        var framer = StreamFramer(.serverSentEvents)
        var openai = OpenAIStreamDecoder()
        var anthropic = AnthropicStreamDecoder()
        var gemini = GeminiStreamDecoder()
        var events: [SSEEvent] = []
        for chunk in bytes.split(separator: 0, omittingEmptySubsequences: false) { events += framer.feed(chunk) }
        events += framer.finish()
        for event in events {
            _ = try? openai.decode(event)
            _ = try? anthropic.decode(event)
            _ = try? gemini.decode(event)
        }
    },
    "ndjson": { bytes in
        var framer = StreamFramer(.newlineDelimitedJSON)
        var events: [SSEEvent] = []
        for chunk in bytes.split(separator: 0, omittingEmptySubsequences: false) { events += framer.feed(chunk) }
        events += framer.finish()
        var decoder = OllamaStreamDecoder()
        for event in events { _ = try? decoder.decode(event) }
    },
    "retry-after": { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        for name in ["retry-after", "retry-after-ms"] {
            if let wait = RetryAfter.parse(HTTPHeaders([(name, text)])) {
                precondition(wait > .zero && wait <= .practicallyForever)
            }
        }
        if let wait = RetryAfter.parseProtobufDuration(text) { precondition(wait <= .practicallyForever) }
        _ = Duration.clamped(seconds: Double(text) ?? 0)
        _ = URLCheck.problem(in: text)
    },
    "openai-response": { bytes in
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        let result = HTTPResult(status: 200, body: buffer)
        if let response = try? OpenAIChatResponseReader.decode(result) {
            _ = response.raw
            _ = response.text
        }
        _ = OpenAIErrorMapper.map(HTTPResult(status: 429, headers: ["retry-after": "1"], body: buffer), configName: "fuzz")
    },
    "server-metrics": { bytes in
        let load = ServerMetricsParser.parse(bytes)
        precondition((load.running ?? 0) >= 0 && (load.waiting ?? 0) >= 0)
        precondition((0...1).contains(load.kvCacheUsage ?? 0))
        precondition((0...ServerMetricsParser.maximumCounter).contains(load.prefixCacheQueries ?? 0))
        precondition((0...ServerMetricsParser.maximumCounter).contains(load.prefixCacheHits ?? 0))
        var estimate = SlotEstimate()
        estimate.observe(load)
        precondition((estimate.slots ?? 1) > 0)
    },
    "gateway-request": { bytes in
        // A request body as a gateway client sends it: chat and embeddings decoding, the
        // gateway config section, and the fleet dispatch's fingerprint of the decoded prompt.
        guard let body = try? JSONCodec.parse(bytes) else { return }
        if let chat = try? ChatRequest(body) {
            let fingerprint = PromptFingerprint(prompt: chat.prompt, affinityKey: chat.options.affinityKey)
            precondition(fingerprint.blocks.count <= PromptFingerprint.maximumBlocks)
        }
        _ = try? EmbeddingRequest(body)
        _ = try? GatewaySection.load(data: Data(bytes), source: "fuzz.json", environment: [:])
    },
    "config": { bytes in
        let manager = ModelManager(responder: FixedResponder(body: "{}"))
        if (try? manager.loadModelConfigs(data: Data(bytes), source: "fuzz.json")) != nil {
            for name in manager.modelConfigs.keys { _ = try? manager.getModel(configName: name) }
        }
    },
]

/// The harness chosen by ONESIM_FUZZ_TARGET, looked up once.
let chosen: @Sendable ([UInt8]) -> Void = {
    let name = ProcessInfo.processInfo.environment["ONESIM_FUZZ_TARGET"] ?? ""
    guard let target = targets[name] else {
        FileHandle.standardError.write(Data("set ONESIM_FUZZ_TARGET to one of: \(targets.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer's driver (in the toolchain's `libclang_rt.fuzzer`, linked by `-sanitize=fuzzer`):
/// SwiftPM gives every executable a `main` of its own, so the harness starts the driver itself.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The entry libFuzzer's own objects refer to.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    chosen(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@main
enum FuzzMain {
    static func main() {
        _ = chosen  // fail fast on an unknown target name
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            chosen(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        }
        exit(status)
    }
}
