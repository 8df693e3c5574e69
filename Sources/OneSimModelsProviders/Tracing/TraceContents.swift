import OneSimModelsCore

/// The message contents a span carries when `OneSimTracing.recordsContents` is on, as the
/// GenAI conventions' JSON: `[{"role":"user","parts":[{"type":"text","content":"..."}]}]`.
///
/// Only text is recorded: image parts become `{"type":"image"}` without their bytes or URL, and
/// a message's `metadata` is left out.
enum TraceContents {
    /// `gen_ai.input.messages` of `prompt`.
    static func input(_ prompt: Prompt) -> String {
        var writer = JSONWriter(capacity: 256)
        writer.openArray()
        for message in prompt.messages {
            writer.openObject()
            writer.field("role", string: message.role.rawValue)
            if let name = message.name { writer.field("name", string: name) }
            writer.key("parts")
            writer.openArray()
            switch message.content {
            case .text(let text): textPart(text, into: &writer)
            case .parts(let parts):
                for part in parts {
                    if case .text(let text) = part {
                        textPart(text, into: &writer)
                    } else {
                        writer.openObject()
                        writer.field("type", string: "image")
                        writer.closeObject()
                    }
                }
            }
            for call in message.toolCalls {
                writer.openObject()
                writer.field("type", string: "tool_call")
                writer.field("id", string: call.id)
                writer.field("name", string: call.name)
                writer.field("arguments", string: call.arguments)
                writer.closeObject()
            }
            writer.closeArray()
            writer.closeObject()
        }
        writer.closeArray()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// `gen_ai.output.messages` of a reply's text.
    static func output(_ text: String, finishReason: String?) -> String {
        var writer = JSONWriter(capacity: text.utf8.count + 96)
        writer.openArray()
        writer.openObject()
        writer.field("role", string: "assistant")
        writer.key("parts")
        writer.openArray()
        textPart(text, into: &writer)
        writer.closeArray()
        if let finishReason { writer.field("finish_reason", string: finishReason) }
        writer.closeObject()
        writer.closeArray()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private static func textPart(_ text: String, into writer: inout JSONWriter) {
        writer.openObject()
        writer.field("type", string: "text")
        writer.field("content", string: text)
        writer.closeObject()
    }
}
