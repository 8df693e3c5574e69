import Foundation

enum NeutralReplies {
    /// The reply to `request` under `action`: scripted text, tool calls or refusal, else the echo
    /// (as JSON when asked), cut at `maxTokens` words with finish reason `length`.
    static func reply(to request: NeutralChatRequest, action: SimulatorAction, id: String) throws -> SimulatorReply {
        var reply = SimulatorReply(
            id: id, model: request.model, text: action.reply ?? request.lastUser, refusal: nil, toolCalls: [],
            finishReason: "stop", promptTokens: request.promptTokens, completionTokens: 0, choices: 1)
        if action.reply == nil {
            if let schema = request.jsonSchema {
                reply.text = SimulatorSchema.json(SimulatorSchema.instance(of: schema, text: request.lastUser))
            } else if request.jsonObject {
                reply.text = SimulatorSchema.json(["reply": request.lastUser])
            }
        }
        if let calls = action.toolCalls {
            reply.toolCalls = calls
        } else if let forced = request.forcedTool {
            guard let tool = request.tools.first(where: { $0.name == forced }) else {
                throw SimulatorRequestError(status: 400, message: "the forced tool '\(forced)' is not among the tools")
            }
            let arguments = SimulatorSchema.instance(of: tool.parameters, text: request.lastUser)
            reply.toolCalls = [SimulatorToolCall(name: forced, arguments: SimulatorSchema.json(arguments))]
        }
        if !reply.toolCalls.isEmpty {
            reply.text = nil
            reply.finishReason = "tool_calls"
        }
        if let refusal = action.refusal {
            reply.text = nil
            reply.refusal = refusal
        }
        if let text = reply.text, let max = request.maxTokens, SimulatorText.tokens(text) > max {
            reply.text = SimulatorText.prefix(text, words: max)
            reply.finishReason = "length"
        }
        reply.completionTokens =
            SimulatorText.tokens(reply.text ?? reply.refusal ?? "") + reply.toolCalls.count * 5
        return reply
    }

    /// The reply text cut into word pieces (the first without, the rest with a leading space).
    static func words(_ text: String) -> [String] {
        var pieces: [String] = []
        for (i, word) in text.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            pieces.append((i == 0 ? "" : " ") + word)
        }
        return pieces
    }

    /// A tool call's arguments as a JSON object (for providers that send objects).
    static func argumentsObject(_ call: SimulatorToolCall) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(call.arguments.utf8)) as? [String: Any]) ?? [:]
    }

    /// The arguments text cut into three pieces, as streams send them.
    static func thirds(_ text: String) -> [String] {
        let chars = Array(text)
        let third = max(1, (chars.count + 2) / 3)
        var pieces: [String] = []
        var start = 0
        while start < chars.count {
            pieces.append(String(chars[start..<min(chars.count, start + third)]))
            start += third
        }
        return pieces
    }

    /// Whether `text` is standard base64 (what image fields must hold).
    static func isBase64(_ text: String) -> Bool {
        !text.isEmpty && Data(base64Encoded: text) != nil
    }
}
