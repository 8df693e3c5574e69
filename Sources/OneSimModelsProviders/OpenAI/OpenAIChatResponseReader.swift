import NIOCore
import OneSimModelsCore

/// Decodes a Chat Completions response straight from its bytes: reads `choices[0].message`
/// (content, refusal, reasoning, tool calls), `finish_reason` and `usage` (with
/// `completion_tokens_details.reasoning_tokens`), skips everything else, and
/// keeps the body for `ModelResponse.raw` to parse only if asked. Gives the same response as
/// `OpenAIChatCodec.decodeResponse(JSONCodec.parse(body))`, without building that tree.
///
/// The reader handles the common shapes itself (string or `null` content, string fields,
/// whole token counts in range). Anything else it meets in a field it reads (content parts,
/// a wrong type, a negative or huge count) sends the body to the tree path, which accepts it or
/// gives the `.decoding` error naming the field: the two paths never disagree, and the rare
/// bodies pay for the second parse, not the common ones.
enum OpenAIChatResponseReader {
    /// The decoded response, or the same errors the tree path gives.
    static func decode(_ result: HTTPResult) throws(ModelError) -> ModelResponse {
        let body = result.body
        let fields: Fields?
        do {
            fields = try body.readableBytesView.withContiguousStorageIfAvailable { buffer throws(JSONSyntaxError) in
                try read(UnsafeRawBufferPointer(buffer))
            } ?? nil
        } catch {
            throw ProviderSupport.invalidJSON(error, status: result.status)
        }
        guard let fields, !fields.unusual else {
            // Not contiguous (never from AsyncHTTPClient's collect), no choices[0].message, or a
            // field the reader does not take as it is: the tree path gives the exact answer or error.
            return try OpenAIChatCodec.decodeResponse(try ProviderSupport.parseBody(result))
        }
        var response = ModelResponse(
            text: fields.text, usage: fields.usage, finishReason: fields.finishReason, toolCalls: fields.toolCalls,
            refusal: fields.refusal, reasoning: OpenAIChatCodec.reasoning(fields.reasoningContent, fields.reasoning))
        response.rawStorage = .lazy(LazyJSON(copying: body))
        return response
    }

    private struct Fields {
        var sawMessage = false
        var text: String?
        var refusal: String?
        /// `reasoning_content` and `reasoning`, combined as `OpenAIChatCodec.reasoning` does.
        var reasoningContent: String?
        var reasoning: String?
        var finishReason: String?
        var toolCalls: [ToolCall] = []
        var usage: Usage = .zero
        /// A field read here has a shape the reader leaves to the tree path.
        var unusual = false
    }

    /// The fields, or nil when the body has no `choices[0].message`.
    private static func read(_ buffer: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> Fields? {
        var reader = JSONReader(buffer: buffer, position: 0)
        var fields = Fields()
        guard reader.peek() == UInt8(ascii: "{") else {
            try reader.skipValue(depth: 0)
            try reader.expectEnd()
            return nil
        }
        try reader.readMembers(depth: 0) { (reader, key: JSONKey) throws(JSONSyntaxError) in
            if key == "choices" {
                let (usage, unusual) = (fields.usage, fields.unusual)
                fields = Fields()
                (fields.usage, fields.unusual) = (usage, unusual)
                guard reader.peek() == UInt8(ascii: "[") else {
                    fields.unusual = true
                    return false
                }
                try reader.readElements(depth: 1) { reader, index throws(JSONSyntaxError) in
                    guard index == 0, reader.peek() == UInt8(ascii: "{") else { return false }
                    try readChoice(&reader, into: &fields)
                    return true
                }
                return true
            }
            if key == "usage" {
                guard let usage = try readUsage(&reader) else {
                    fields.unusual = true
                    return true
                }
                fields.usage = usage
                return true
            }
            return false
        }
        try reader.expectEnd()
        return fields.sawMessage ? fields : nil
    }

    /// `usage` as `OpenAIChatCodec.decodeUsage` reads it, without a dictionary; `nil` when a
    /// count is not a whole number in range, or `usage` or its `completion_tokens_details` is
    /// neither an object nor `null`.
    private static func readUsage(_ reader: inout JSONReader) throws(JSONSyntaxError) -> Usage? {
        var (prompt, completion, total, reasoning, cached): (Int?, Int?, Int?, Int?, Int?) = (nil, nil, nil, nil, nil)
        var valid = true
        guard reader.peek() == UInt8(ascii: "{") else {
            let value = try reader.readValue(depth: 1)
            return value.isNull ? Usage(promptTokens: 0, completionTokens: 0, totalTokens: nil) : nil
        }
        try reader.readMembers(depth: 1) { (reader, key: JSONKey) throws(JSONSyntaxError) in
            if key == "prompt_tokens" {
                prompt = tokenCount(try reader.readValue(depth: 2), valid: &valid)
            } else if key == "completion_tokens" {
                completion = tokenCount(try reader.readValue(depth: 2), valid: &valid)
            } else if key == "total_tokens" {
                total = tokenCount(try reader.readValue(depth: 2), valid: &valid)
            } else if key == "completion_tokens_details" {
                reasoning = nil  // a repeated member replaces the earlier one, as in the tree
                guard reader.peek() == UInt8(ascii: "{") else {
                    if !(try reader.readValue(depth: 2)).isNull { valid = false }
                    return true
                }
                try reader.readMembers(depth: 2) { (reader, key: JSONKey) throws(JSONSyntaxError) in
                    guard key == "reasoning_tokens" else { return false }
                    reasoning = tokenCount(try reader.readValue(depth: 3), valid: &valid)
                    return true
                }
            } else if key == "prompt_tokens_details" {
                cached = nil
                guard reader.peek() == UInt8(ascii: "{") else {
                    if !(try reader.readValue(depth: 2)).isNull { valid = false }
                    return true
                }
                try reader.readMembers(depth: 2) { (reader, key: JSONKey) throws(JSONSyntaxError) in
                    guard key == "cached_tokens" else { return false }
                    cached = tokenCount(try reader.readValue(depth: 3), valid: &valid)
                    return true
                }
            } else {
                return false
            }
            return true
        }
        guard valid else { return nil }
        return Usage(
            promptTokens: prompt ?? 0, completionTokens: completion ?? 0, totalTokens: total, reasoningTokens: reasoning ?? 0,
            cachedPromptTokens: cached ?? 0)
    }

    /// A token count as `ResponseFields.count` reads it; clears `valid` when it is not one.
    @inline(__always)
    private static func tokenCount(_ value: JSONValue, valid: inout Bool) -> Int? {
        do { return try ResponseFields.count(value, "") } catch {
            valid = false
            return nil
        }
    }

    private static func readChoice(_ reader: inout JSONReader, into fields: inout Fields) throws(JSONSyntaxError) {
        var unusual = false
        defer { if unusual { fields.unusual = true } }
        try reader.readMembers(depth: 2) { (reader, key: JSONKey) throws(JSONSyntaxError) in
            if key == "message" {
                fields.sawMessage = true
                fields.text = nil
                fields.refusal = nil
                fields.reasoningContent = nil
                fields.reasoning = nil
                fields.toolCalls = []
                guard reader.peek() == UInt8(ascii: "{") else {
                    fields.unusual = true
                    return false
                }
                try reader.readMembers(depth: 3) { (reader, key: JSONKey) throws(JSONSyntaxError) in
                    if key == "content" {
                        fields.text = try reader.readStringOrNull(depth: 4, unusual: &unusual)
                    } else if key == "refusal" {
                        fields.refusal = try reader.readStringOrNull(depth: 4, unusual: &unusual)
                    } else if key == "reasoning_content" {
                        fields.reasoningContent = try reader.readStringOrNull(depth: 4, unusual: &unusual)
                    } else if key == "reasoning" {
                        fields.reasoning = try reader.readStringOrNull(depth: 4, unusual: &unusual)
                    } else if key == "tool_calls" {
                        let value = try reader.readValue(depth: 4)
                        if let calls = try? OpenAIChatCodec.decodeToolCalls(value, field: "") {
                            fields.toolCalls = calls
                        } else {
                            fields.unusual = true
                        }
                    } else {
                        return false
                    }
                    return true
                }
                return true
            }
            if key == "finish_reason" {
                fields.finishReason = try reader.readStringOrNull(depth: 3, unusual: &unusual)
                return true
            }
            return false
        }
    }
}

extension JSONReader {
    /// Reads a string value or `null` (as `nil`); skips any other value, returns `nil` and sets
    /// `unusual`.
    mutating func readStringOrNull(depth: Int, unusual: inout Bool) throws(JSONSyntaxError) -> String? {
        switch peek() {
        case UInt8(ascii: "\""): return try readString()
        case UInt8(ascii: "n"): _ = try readValue(depth: depth)
        default:
            try skipValue(depth: depth)
            unusual = true
        }
        return nil
    }

    /// Checks that only whitespace follows.
    mutating func expectEnd() throws(JSONSyntaxError) {
        if peek() != nil { throw error("unexpected text after the JSON value") }
    }
}
