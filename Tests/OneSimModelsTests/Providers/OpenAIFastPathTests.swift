import Foundation
import NIOCore
import PropertyBased
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

// The OpenAI hot path writes request bodies straight into bytes and reads only the needed
// fields of a response. These properties pin it to the tree path it replaced
// (`encodeMessages` + `bodyFields(over:)`, and `JSONCodec.parse` + `decodeResponse`).

// MARK: Generators

private func randomMessage(_ rng: inout some RandomNumberGenerator) -> Message {
    let roles: [Role] = [.system, .user, .assistant, .tool]
    let role = roles.randomElement(using: &rng)!
    let content: MessageContent
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: content = .text("")
    case 1, 2: content = .text(randomString(&rng))
    default:
        var parts: [ContentPart] = []
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: parts.append(.text(randomString(&rng)))
            case 1: parts.append(.imageURL("https://example.com/\(Int.random(in: 0...9, using: &rng)).png", detail: [nil, .low, .high].randomElement(using: &rng)!))
            default: parts.append(.imageData(Data([0x89, 0x50, 0x4E, 0x47, UInt8.random(in: 0...255, using: &rng)]), mimeType: "image/png", detail: nil))
            }
        }
        content = .parts(parts)
    }
    let calls = (0..<Int.random(in: 0...2, using: &rng)).map { i in
        ToolCall(id: "call_\(i)", name: randomString(&rng, maxParts: 2), arguments: randomString(&rng, maxParts: 3))
    }
    return Message(
        role: role, content: content, name: Bool.random(using: &rng) ? randomString(&rng, maxParts: 2) : nil,
        toolCalls: role == .assistant ? calls : [], toolCallID: role == .tool ? "call_0" : nil)
}

private func randomOptions(_ rng: inout some RandomNumberGenerator) -> CallOptions {
    var options = CallOptions()
    if Bool.random(using: &rng) { options.temperature = Double(Int.random(in: 0...20, using: &rng)) / 10 }
    if Bool.random(using: &rng) { options.maxTokens = Int.random(in: 1...4096, using: &rng) }
    if Bool.random(using: &rng) { options.topP = 0.9 }
    if Bool.random(using: &rng) { options.stop = [randomString(&rng, maxParts: 2)] }
    if Bool.random(using: &rng) {
        options.tools = [ToolDefinition(name: "move", description: "Move the agent", parameters: randomJSON(&rng), strict: true)]
        options.toolChoice = [ToolChoice.auto, ToolChoice.none, .required, .function("move")].randomElement(using: &rng)!
    }
    if Bool.random(using: &rng) {
        options.responseFormat = [.text, .jsonObject, .jsonSchema(name: "plan", schema: ["type": "object"], strict: true)]
            .randomElement(using: &rng)!
    }
    // Extra body fields, sometimes overriding typed ones, generate_args, or the reserved keys.
    let keys = ["seed", "temperature", "max_tokens", "model", "messages", "stream", "stream_options", "user", "n"]
    for _ in 0..<Int.random(in: 0...3, using: &rng) {
        options.extraBody[keys.randomElement(using: &rng)!] = randomJSON(&rng, depth: 2)
    }
    return options
}

private func randomGenerateArgs(_ rng: inout some RandomNumberGenerator) -> [String: JSONValue] {
    let keys = ["temperature", "top_p", "max_tokens", "presence_penalty", "model", "messages", "stream", "stream_options", "seed"]
    var args: [String: JSONValue] = [:]
    for _ in 0..<Int.random(in: 0...4, using: &rng) {
        args[keys.randomElement(using: &rng)!] = randomJSON(&rng, depth: 2)
    }
    return args
}

private struct RequestCase: Sendable {
    var prompt: Prompt
    var options: CallOptions
    var generateArgs: [String: JSONValue]
    var stream: Bool
}

private let requestCases = Generator<RequestCase, Shrink.None<RequestCase>> { rng in
    RequestCase(
        prompt: Prompt((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomMessage(&rng) }),
        options: randomOptions(&rng), generateArgs: randomGenerateArgs(&rng), stream: Bool.random(using: &rng))
}

/// A Chat Completions body with the fields the reader looks at, plus noise around them.
private let responseBodies = Generator<String, Shrink.None<String>> { rng in
    func str(_ rng: inout some RandomNumberGenerator) -> String {
        String(decoding: JSONCodec.encode(.string(randomString(&rng))), as: UTF8.self)
    }
    func noise(_ rng: inout some RandomNumberGenerator) -> String {
        String(decoding: JSONCodec.encode(randomJSON(&rng, depth: 1)), as: UTF8.self)
    }
    var message: [String] = []
    switch Int.random(in: 0..<6, using: &rng) {
    case 0: message.append(#""content":null"#)
    case 1: break
    case 2: message.append(#""content":[{"type":"text","text":"# + str(&rng) + #"},{"type":"text","text":"# + str(&rng) + "}]")
    case 3 where Bool.random(using: &rng): message.append(#""content":"# + noise(&rng))
    default: message.append(#""content":"# + str(&rng))
    }
    if Bool.random(using: &rng) { message.append(#""refusal":"# + (Bool.random(using: &rng) ? "null" : str(&rng))) }
    if Bool.random(using: &rng) {
        message.append(
            #""tool_calls":[{"id":"call_1","type":"function","function":{"name":"move","arguments":"# + str(&rng)
                + "}}," + #"{"type":"function","function":{"arguments":"{}"}}]"#)
    }
    if Bool.random(using: &rng) { message.append(#""annotations":"# + noise(&rng)) }
    // Reasoning as vLLM, SGLang and DeepSeek send it: either name, both, empty, null or a wrong type.
    for name in ["reasoning_content", "reasoning"] where Bool.random(using: &rng) {
        let value = ["null", #""""#, str(&rng), str(&rng), noise(&rng)].randomElement(using: &rng)!
        message.append("\"\(name)\":" + value)
    }
    message.shuffle(using: &rng)
    var choice = [#""index":0"#, #""message":{"# + message.joined(separator: ",") + "}", #""logprobs":null"#]
    if Bool.random(using: &rng) { choice.append(#""finish_reason":"# + ["\"stop\"", "\"length\"", "null", "7"].randomElement(using: &rng)!) }
    choice.shuffle(using: &rng)
    var top = [#""id":"chatcmpl-1""#, #""object":"chat.completion""#, #""choices":[{"# + choice.joined(separator: ",") + "}"]
    if Bool.random(using: &rng) { top[2] += #",{"index":1,"message":{"content":"second"}}"# }
    top[2] += "]"
    switch Int.random(in: 0..<7, using: &rng) {
    case 0: break
    case 5:
        let details = ["null", "{}", #"{"reasoning_tokens":9}"#, #"{"audio_tokens":0,"reasoning_tokens":"#
            + ["4", "4.0", "-1", "1e300", "\"4\"", "null"].randomElement(using: &rng)! + "}", "7", noise(&rng)]
        top.append(#""usage":{"prompt_tokens":5,"completion_tokens":20,"total_tokens":25,"completion_tokens_details":"#
            + details.randomElement(using: &rng)! + "}")
    case 6:
        top.append(#""usage":{"completion_tokens_details":{"reasoning_tokens":3},"completion_tokens":8,"completion_tokens_details":{"audio_tokens":1}}"#)
    case 1: top.append(#""usage":null"#)
    case 2: top.append(#""usage":{"prompt_tokens":27,"completion_tokens":12,"total_tokens":39,"prompt_tokens_details":{"cached_tokens":0}}"#)
    case 3: top.append(#""usage":{"completion_tokens":5.0,"prompt_tokens":3}"#)
    default: top.append(#""usage":{"completion_tokens":"# + ["-1", "1e300", "\"7\"", "2.5", "12"].randomElement(using: &rng)! + "}")
    }
    if Bool.random(using: &rng) { top.append(#""system_fingerprint":"# + str(&rng)) }
    top.shuffle(using: &rng)
    let spacing = Bool.random(using: &rng) ? "\n  " : ""
    return "{" + spacing + top.joined(separator: "," + spacing) + spacing + "}"
}

// MARK: Properties

@Suite("OpenAI fast path")
struct OpenAIFastPathTests {
    @Test func requestBytesEqualTheTreeEncoding() async throws {
        await propertyCheck(count: 300, input: requestCases) { c throws in
            var expected = c.options.bodyFields(over: c.generateArgs)
            expected["model"] = "gpt-4o"
            expected["messages"] = try await OpenAIChatCodec.encodeMessages(c.prompt)
            if c.stream {
                expected["stream"] = true
                if expected["stream_options"] == nil { expected["stream_options"] = ["include_usage": true] }
            }
            let bytes = try await OpenAIChatRequestWriter.body(
                model: "gpt-4o", prompt: c.prompt, generateArgs: c.generateArgs, options: c.options, stream: c.stream)
            #expect(try JSONCodec.parse(bytes) == .object(expected))
        }
    }

    @Test func responseFieldsEqualTheTreeDecoding() async throws {
        await propertyCheck(count: 400, input: responseBodies) { body throws in
            let treeResult = Result { try OpenAIChatCodec.decodeResponse(try JSONCodec.parse(body)) }
            let fastResult = Result { try OpenAIChatResponseReader.decode(HTTPResult(status: 200, body: ByteBuffer(string: body))) }
            guard case .success(let tree) = treeResult, case .success(let fast) = fastResult else {
                // A field of the wrong type: both paths give the same error.
                #expect((try? treeResult.get()) == nil && (try? fastResult.get()) == nil)
                let (t, f) = (treeResult.failure as? ModelError, fastResult.failure as? ModelError)
                #expect(t?.kind == .decoding)
                #expect(t?.message == f?.message)
                return
            }
            #expect(fast.text == tree.text)
            #expect(fast.refusal == tree.refusal)
            #expect(fast.reasoning == tree.reasoning)
            #expect(fast.finishReason == tree.finishReason)
            #expect(fast.toolCalls == tree.toolCalls)
            #expect(fast.usage == tree.usage)
            #expect(fast.raw == tree.raw)
        }
    }

    @Test(arguments: [
        #"{"choices": []}"#, #"{"choices": {"0": {}}}"#, #"{"choices": [{"index": 0}]}"#, #"[1, 2]"#, #""text""#,
        #"{"choices": [{"message": null}], "usage": {"prompt_tokens": 1}}"#,
        #"{"choices": [{"message": "hi", "finish_reason": "stop"}]}"#,
        #"{"choices": [{"message": {"content": "a"}}], "choices": [{"message": {"content": "b"}}]}"#,
        #"{"choi\u0063es": [{"m\u0065ssage": {"content": "escaped names"}}], "usage": {"prompt_tokens": 2}}"#,
        #"{"choices": [{"message": {"content": "x"}}], "\u00e9": 1, "usage\"": 3}"#,
        #"{"choices": [{"message": {"content": "x", "reasoning_content": 5}}]}"#,
        #"{"choices": [{"message": {"reasoning_content": "a", "reasoning_content": null, "reasoning": "b"}}]}"#,
        #"{"choices": [{"message": {"reasoning_\u0063ontent": "escaped", "content": null}}]}"#,
        #"{"choices": [{"message": {"content": "x"}}], "usage": {"completion_tokens_details": {"reasoning_tokens": 2}, "completion_tokens_details": null}}"#,
        #"{"choices": [{"message": {"content": "x"}}], "usage": {"completion_tokens_details": [1]}}"#,
    ])
    func unusualShapesMatchTheTreePath(body: String) throws {
        let tree = Result { try OpenAIChatCodec.decodeResponse(try JSONCodec.parse(body)) }
        let fast = Result { try OpenAIChatResponseReader.decode(HTTPResult(status: 200, body: ByteBuffer(string: body))) }
        switch (tree, fast) {
        case (.success(let t), .success(let f)):
            #expect(f.text == t.text)
            #expect(f.reasoning == t.reasoning)
            #expect(f.usage == t.usage)
            #expect(f.finishReason == t.finishReason)
        case (.failure(let t), .failure(let f)):
            #expect((t as? ModelError)?.kind == (f as? ModelError)?.kind)
            #expect((t as? ModelError)?.message == (f as? ModelError)?.message)
        default:
            Issue.record("tree \(tree) but fast \(fast)")
        }
    }

    @Test(arguments: [
        #"{"choices": [{"message": {"content": "hi"}}]"#, #"{"choices": [{"message": {"content": "hi"}}]} x"#,
        #"{"choices": [{"message": {"content": "h\q"}}]}"#, #"{"id": "unterminated}"#, #"{"choices": [1,]}"#, "",
        #"{"choices": [{"message": {"content": "hi"}}], "x": [1 2]}"#,
    ])
    func invalidJSONIsADecodingErrorWithPosition(body: String) throws {
        let error = #expect(throws: ModelError.self) {
            try OpenAIChatResponseReader.decode(HTTPResult(status: 200, body: ByteBuffer(string: body)))
        }
        #expect(error?.kind == .decoding)
        #expect(error?.message.hasPrefix("invalid JSON in the response: ") == true)
        #expect(error?.message.contains("line 1") == true)
    }

    @Test func rawIsParsedOnceFromACopyOfTheBody() throws {
        var buffer = ByteBuffer(string: #"{"id": "x", "choices": [{"message": {"content": "hi"}}]}"#)
        let response = try OpenAIChatResponseReader.decode(HTTPResult(status: 200, body: buffer))
        buffer.setString("#", at: buffer.readerIndex)  // the caller's buffer changes; the response's does not
        #expect(response.raw["id"] == "x")
        var edited = response
        edited.raw = ["replaced": true]
        #expect(edited.raw == ["replaced": true])
        #expect(response.raw["choices"]?[0]?["message"]?["content"] == "hi")
    }

    @Test func stringsRoundTripThroughTheWriter() async {
        await propertyCheck(count: 500, input: Generator<String, Shrink.None<String>> { rng in randomString(&rng, maxParts: 12) }) { s throws in
            var out: [UInt8] = []
            JSONCodec.writeString(s, into: &out)
            #expect(try JSONCodec.parse(out) == .string(s))
            #expect(!out.dropFirst().dropLast().contains { $0 < 0x20 })
        }
    }

    @Test func writerPlacesCommasInNestedValues() {
        var writer = JSONWriter()
        writer.openObject()
        writer.field("a", .int(1))
        writer.key("b")
        writer.openArray()
        writer.openObject()
        writer.closeObject()
        writer.value(.null)
        writer.openArray()
        writer.string("x")
        writer.closeArray()
        writer.closeArray()
        writer.key("c")
        writer.openObject()
        writer.field("d", string: "e")
        writer.closeObject()
        writer.closeObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":1,"b":[{},null,["x"]],"c":{"d":"e"}}"#)
    }
}

extension Result {
    /// The error, when this is a failure.
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
