import NIOCore

/// Decodes a Chat Completions response straight from its bytes: reads `choices[0].message`
/// (content, refusal, tool calls), `finish_reason` and `usage`, skips everything else, and
/// keeps the body for `ModelResponse.raw` to parse only if asked. Gives the same response as
/// `OpenAIChatCodec.decodeResponse(JSONCodec.parse(body))`, without building that tree.
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
        guard let fields else {
            // Not contiguous (never from AsyncHTTPClient's collect), or no choices[0].message:
            // the tree path gives the exact answer or error.
            return try OpenAIChatCodec.decodeResponse(try ProviderSupport.parseBody(result))
        }
        var response = ModelResponse(
            text: fields.text, usage: fields.usage, finishReason: fields.finishReason, toolCalls: fields.toolCalls,
            refusal: fields.refusal)
        response.rawStorage = .lazy(LazyJSON(copying: body))
        return response
    }

    private struct Fields {
        var sawMessage = false
        var text: String?
        var refusal: String?
        var finishReason: String?
        var toolCalls: [ToolCall] = []
        var usage: Usage = .zero
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
                let usage = fields.usage
                fields = Fields()
                fields.usage = usage
                guard reader.peek() == UInt8(ascii: "[") else { return false }
                try reader.readElements(depth: 1) { reader, index throws(JSONSyntaxError) in
                    guard index == 0, reader.peek() == UInt8(ascii: "{") else { return false }
                    try readChoice(&reader, into: &fields)
                    return true
                }
                return true
            }
            if key == "usage" {
                fields.usage = try readUsage(&reader)
                return true
            }
            return false
        }
        try reader.expectEnd()
        return fields.sawMessage ? fields : nil
    }

    /// `usage` as `OpenAIChatCodec.decodeUsage` reads it, without a dictionary.
    private static func readUsage(_ reader: inout JSONReader) throws(JSONSyntaxError) -> Usage {
        var (prompt, completion, total): (Int?, Int?, Int?) = (nil, nil, nil)
        guard reader.peek() == UInt8(ascii: "{") else {
            try reader.skipValue(depth: 1)
            return Usage(promptTokens: 0, completionTokens: 0, totalTokens: nil)
        }
        try reader.readMembers(depth: 1) { (reader, key: JSONKey) throws(JSONSyntaxError) in
            if key == "prompt_tokens" {
                prompt = try reader.readValue(depth: 2).intValue
            } else if key == "completion_tokens" {
                completion = try reader.readValue(depth: 2).intValue
            } else if key == "total_tokens" {
                total = try reader.readValue(depth: 2).intValue
            } else {
                return false
            }
            return true
        }
        return Usage(promptTokens: prompt ?? 0, completionTokens: completion ?? 0, totalTokens: total)
    }

    private static func readChoice(_ reader: inout JSONReader, into fields: inout Fields) throws(JSONSyntaxError) {
        try reader.readMembers(depth: 2) { (reader, key: JSONKey) throws(JSONSyntaxError) in
            if key == "message" {
                fields.sawMessage = true
                fields.text = nil
                fields.refusal = nil
                fields.toolCalls = []
                guard reader.peek() == UInt8(ascii: "{") else { return false }
                try reader.readMembers(depth: 3) { (reader, key: JSONKey) throws(JSONSyntaxError) in
                    if key == "content" {
                        fields.text = try reader.readStringOrSkip(depth: 4)
                    } else if key == "refusal" {
                        fields.refusal = try reader.readStringOrSkip(depth: 4)
                    } else if key == "tool_calls" {
                        fields.toolCalls = OpenAIChatCodec.decodeToolCalls(try reader.readValue(depth: 4))
                    } else {
                        return false
                    }
                    return true
                }
                return true
            }
            if key == "finish_reason" {
                fields.finishReason = try reader.readStringOrSkip(depth: 3)
                return true
            }
            return false
        }
    }
}

extension JSONReader {
    /// Checks that only whitespace follows.
    mutating func expectEnd() throws(JSONSyntaxError) {
        if peek() != nil { throw error("unexpected text after the JSON value") }
    }
}
