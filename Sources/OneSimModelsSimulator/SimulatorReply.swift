import Foundation

/// What the simulator answers to one chat request, before it is rendered as JSON or SSE.
struct SimulatorReply {
    var id: String
    var model: String
    var text: String?
    var refusal: String?
    var toolCalls: [SimulatorToolCall]
    var finishReason: String
    var promptTokens: Int
    var completionTokens: Int
    var choices: Int
    /// Prompt tokens served from a prefix cache (fleet mode): reported as
    /// `usage.prompt_tokens_details.cached_tokens`.
    var cachedTokens: Int? = nil

    var totalTokens: Int { promptTokens + completionTokens * choices }

    var usage: [String: Any] {
        var usage: [String: Any] = [
            "prompt_tokens": promptTokens, "completion_tokens": completionTokens * choices, "total_tokens": totalTokens,
        ]
        if let cachedTokens { usage["prompt_tokens_details"] = ["cached_tokens": cachedTokens] }
        return usage
    }

    /// The reply as a `chat.completion` object.
    var completion: [String: Any] {
        var message: [String: Any] = ["role": "assistant", "content": text.map { $0 as Any } ?? NSNull(), "refusal": refusal.map { $0 as Any } ?? NSNull()]
        if !toolCalls.isEmpty {
            message["tool_calls"] = toolCalls.enumerated().map { index, call in
                [
                    "id": "call_\(index)_\(call.name)", "type": "function",
                    "function": ["name": call.name, "arguments": call.arguments],
                ] as [String: Any]
            }
        }
        let choiceList: [[String: Any]] = (0..<choices).map { index in
            ["index": index, "message": message, "logprobs": NSNull(), "finish_reason": finishReason]
        }
        return [
            "id": id, "object": "chat.completion", "created": Int(Date().timeIntervalSince1970), "model": model,
            "choices": choiceList, "usage": usage, "system_fingerprint": "fp_onesim_sim",
        ]
    }

    /// The reply as `chat.completion.chunk` events: a role chunk, one chunk per word, tool-call
    /// fragments, the finish chunk, then (when asked) a usage chunk. `[DONE]` is added by the writer.
    func chunks(includeUsage: Bool) -> [[String: Any]] {
        func chunk(_ delta: [String: Any], finish: String? = nil) -> [String: Any] {
            [
                "id": id, "object": "chat.completion.chunk", "created": Int(Date().timeIntervalSince1970),
                "model": model,
                "choices": [["index": 0, "delta": delta, "logprobs": NSNull(), "finish_reason": finish.map { $0 as Any } ?? NSNull()] as [String: Any]],
            ]
        }
        var events: [[String: Any]] = [chunk(["role": "assistant", "content": ""])]
        if let text {
            var first = true
            for word in text.split(separator: " ", omittingEmptySubsequences: false) {
                events.append(chunk(["content": (first ? "" : " ") + word]))
                first = false
            }
        }
        if let refusal { events.append(chunk(["refusal": refusal])) }
        for (index, call) in toolCalls.enumerated() {
            events.append(chunk(["tool_calls": [[
                "index": index, "id": "call_\(index)_\(call.name)", "type": "function",
                "function": ["name": call.name, "arguments": ""],
            ] as [String: Any]]]))
            let args = Array(call.arguments)
            let third = max(1, (args.count + 2) / 3)
            var start = 0
            while start < args.count {
                let piece = String(args[start..<min(args.count, start + third)])
                events.append(chunk(["tool_calls": [["index": index, "function": ["arguments": piece]] as [String: Any]]]))
                start += third
            }
        }
        events.append(chunk([:], finish: finishReason))
        if includeUsage {
            events.append([
                "id": id, "object": "chat.completion.chunk", "created": Int(Date().timeIntervalSince1970),
                "model": model, "choices": [] as [Any], "usage": usage,
            ])
        }
        return events
    }
}
