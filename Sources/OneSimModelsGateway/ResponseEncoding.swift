import OneSimModels

import Foundation
import NIOCore

/// Writes OpenAI's response shapes straight into bytes (no intermediate tree):
/// `chat.completion`, `chat.completion.chunk` SSE events and the embeddings `list`.
enum ResponseEncoding {
    /// OpenAI's `finish_reason` for any provider's.
    static func finishReason(_ reason: String?, hasToolCalls: Bool) -> String {
        switch reason?.lowercased() {
        case nil: return hasToolCalls ? "tool_calls" : "stop"
        case "stop", "end_turn", "stop_sequence", "eos": return "stop"
        case "length", "max_tokens", "model_length": return "length"
        case "tool_calls", "tool_use", "function_call": return "tool_calls"
        case "content_filter", "safety", "recitation", "refusal", "blocklist", "prohibited_content", "spii": return "content_filter"
        case let other?: return other
        }
    }

    static func writeUsage(_ usage: Usage, into writer: inout JSONWriter) {
        writer.openObject()
        writer.field("prompt_tokens", .int(usage.promptTokens))
        writer.field("completion_tokens", .int(usage.completionTokens))
        writer.field("total_tokens", .int(usage.totalTokens))
        if usage.reasoningTokens != 0 {
            writer.key("completion_tokens_details")
            writer.openObject()
            writer.field("reasoning_tokens", .int(usage.reasoningTokens))
            writer.closeObject()
        }
        writer.closeObject()
    }

    static func writeHeader(object: StaticString, id: String, model: String, created: Int, into writer: inout JSONWriter) {
        writer.field("id", string: id)
        writer.key("object")
        writer.rawValue(object)
        writer.field("created", .int(created))
        writer.field("model", string: model)
    }

    /// A `chat.completion` body.
    static func completion(_ response: ModelResponse, id: String, model: String, created: Int) -> ByteBuffer {
        var writer = JSONWriter(capacity: 384 + (response.text?.utf8.count ?? 0))
        writer.openObject()
        writeHeader(object: "\"chat.completion\"", id: id, model: model, created: created, into: &writer)
        writer.key("choices")
        writer.openArray()
        writer.openObject()
        writer.field("index", .int(0))
        writer.key("message")
        writer.openObject()
        writer.key("role")
        writer.rawValue("\"assistant\"")
        writer.field("content", response.text.map(JSONValue.string) ?? .null)
        writer.field("refusal", response.refusal.map(JSONValue.string) ?? .null)
        if let reasoning = response.reasoning { writer.field("reasoning_content", string: reasoning) }
        if !response.toolCalls.isEmpty { writer.openAIToolCalls(response.toolCalls) }
        writer.closeObject()
        writer.key("logprobs")
        writer.rawValue("null")
        writer.field("finish_reason", string: finishReason(response.finishReason, hasToolCalls: !response.toolCalls.isEmpty))
        writer.closeObject()
        writer.closeArray()
        writer.key("usage")
        writeUsage(response.usage, into: &writer)
        writer.closeObject()
        return ByteBuffer(bytes: writer.bytes)
    }

    /// One `data: {chat.completion.chunk}\n\n` event for a delta (`nil` when it carries nothing
    /// to send). The first event carries `role`.
    static func chunk(_ delta: ModelDelta, id: String, model: String, created: Int, first: Bool, sawToolCalls: Bool) -> ByteBuffer? {
        let hasContent = !delta.text.isEmpty || delta.reasoning != nil || delta.refusal != nil || !delta.toolCalls.isEmpty
        guard first || hasContent || delta.finishReason != nil else { return nil }
        var writer = JSONWriter(capacity: 256 + delta.text.utf8.count)
        writer.openObject()
        writeHeader(object: "\"chat.completion.chunk\"", id: id, model: model, created: created, into: &writer)
        writer.key("choices")
        writer.openArray()
        writer.openObject()
        writer.field("index", .int(0))
        writer.key("delta")
        writer.openObject()
        if first {
            writer.key("role")
            writer.rawValue("\"assistant\"")
        }
        if !delta.text.isEmpty || first { writer.field("content", string: delta.text) }
        if let reasoning = delta.reasoning { writer.field("reasoning_content", string: reasoning) }
        if let refusal = delta.refusal { writer.field("refusal", string: refusal) }
        if !delta.toolCalls.isEmpty {
            writer.key("tool_calls")
            writer.openArray()
            for call in delta.toolCalls {
                writer.openObject()
                writer.field("index", .int(call.index))
                if let id = call.id {
                    writer.field("id", string: id)
                    writer.key("type")
                    writer.rawValue("\"function\"")
                }
                writer.key("function")
                writer.openObject()
                if let name = call.name { writer.field("name", string: name) }
                writer.field("arguments", string: call.arguments)
                writer.closeObject()
                writer.closeObject()
            }
            writer.closeArray()
        }
        writer.closeObject()
        writer.key("logprobs")
        writer.rawValue("null")
        if delta.finishReason != nil {
            writer.field("finish_reason", string: finishReason(delta.finishReason, hasToolCalls: sawToolCalls || !delta.toolCalls.isEmpty))
        } else {
            writer.key("finish_reason")
            writer.rawValue("null")
        }
        writer.closeObject()
        writer.closeArray()
        writer.closeObject()
        return event(writer.bytes)
    }

    /// The last chunk of `stream_options.include_usage`: no choices, the usage.
    static func usageChunk(_ usage: Usage, id: String, model: String, created: Int) -> ByteBuffer {
        var writer = JSONWriter(capacity: 256)
        writer.openObject()
        writeHeader(object: "\"chat.completion.chunk\"", id: id, model: model, created: created, into: &writer)
        writer.key("choices")
        writer.rawValue("[]")
        writer.key("usage")
        writeUsage(usage, into: &writer)
        writer.closeObject()
        return event(writer.bytes)
    }

    /// `data: <json>\n\n`.
    static func event(_ json: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(json.count + 8)
        buffer.writeStaticString("data: ")
        buffer.writeBytes(json)
        buffer.writeStaticString("\n\n")
        return buffer
    }

    static let done = ByteBuffer(staticString: "data: [DONE]\n\n")

    /// An error event inside a stream that already started: `data: {"error": {...}}`.
    static func errorEvent(_ error: GatewayError) -> ByteBuffer {
        var buffer = ByteBuffer(staticString: "data: ")
        var body = error.body()
        buffer.writeBuffer(&body)
        buffer.writeStaticString("\n\n")
        return buffer
    }

    /// The embeddings `list`: one vector per input, floats or base64 of little-endian float32.
    static func embeddings(_ response: ModelResponse, model: String, base64: Bool) -> ByteBuffer {
        let dims = response.embeddings.first?.count ?? 0
        var writer = JSONWriter(capacity: 128 + response.embeddings.count * (base64 ? dims * 6 : dims * 12))
        writer.openObject()
        writer.key("object")
        writer.rawValue("\"list\"")
        writer.key("data")
        writer.openArray()
        for (i, vector) in response.embeddings.enumerated() {
            writer.openObject()
            writer.key("object")
            writer.rawValue("\"embedding\"")
            writer.field("index", .int(i))
            writer.key("embedding")
            if base64 {
                var bytes: [UInt8] = []
                bytes.reserveCapacity(vector.count * 4)
                for value in vector {
                    let bits = value.bitPattern.littleEndian
                    withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
                }
                writer.string(Data(bytes).base64EncodedString())
            } else {
                writer.openArray()
                for value in vector { writer.value(.double(Double(value))) }
                writer.closeArray()
            }
            writer.closeObject()
        }
        writer.closeArray()
        writer.field("model", string: model)
        writer.key("usage")
        writer.openObject()
        writer.field("prompt_tokens", .int(response.usage.promptTokens))
        writer.field("total_tokens", .int(response.usage.totalTokens))
        writer.closeObject()
        writer.closeObject()
        return ByteBuffer(bytes: writer.bytes)
    }
}
