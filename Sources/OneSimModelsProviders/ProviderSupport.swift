import Foundation
import NIOHTTP1
import OneSimModelsCore

/// Small helpers every provider codec shares.
package enum ProviderSupport {
    /// The body of a 2xx response as JSON, or a `.decoding` error.
    package static func parseBody(_ result: HTTPResult) throws(ModelError) -> JSONValue {
        do { return try JSONCodec.parse(result.body.readableBytesView) } catch {
            throw invalidJSON(error, status: result.status)
        }
    }

    /// The `.decoding` error for a response body that is not valid JSON.
    static func invalidJSON(_ error: JSONSyntaxError, status: Int) -> ModelError {
        ModelError(.decoding, "invalid JSON in the response: \(error)", status: status)
    }

    /// The keys of `fields` with the provider's native names first and OpenAI aliases last
    /// (each group sorted), so an alias set per call wins over a native default when both map
    /// to the same provider field.
    static func keysNativeFirst(_ fields: [String: JSONValue], isAlias: (String) -> Bool) -> [String] {
        fields.keys.sorted { a, b in
            let (aliasA, aliasB) = (isAlias(a), isAlias(b))
            return aliasA != aliasB ? !aliasA : a < b
        }
    }

    /// The body of an error response as JSON, when it is JSON.
    package static func parseErrorBody(_ result: HTTPResult) -> JSONValue? {
        try? JSONCodec.parse(result.body.readableBytesView)
    }

    /// A short snippet of a non-JSON error body, or a note that it was empty.
    package static func bodySnippet(_ result: HTTPResult) -> String {
        let text = String(decoding: result.body.readableBytesView.prefix(300), as: UTF8.self)
        return text.isEmpty ? "HTTP \(result.status) with an empty body" : text
    }

    /// The `x-should-retry` header as a boolean, when present.
    package static func shouldRetryHeader(_ result: HTTPResult) -> Bool? {
        switch result.headers.first(name: "x-should-retry")?.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// The JSON object a tool call's `arguments` text holds (empty text is `{}`); a
    /// `.badRequest` error when it is not a JSON object, since the provider needs an object.
    package static func argumentsObject(_ call: ToolCall, provider: String) throws(ModelError) -> JSONValue {
        let text = call.arguments.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return .object([:]) }
        guard let value = try? JSONCodec.parse(text), case .object = value else {
            throw ModelError(
                .badRequest,
                "tool call '\(call.name)' (\(call.id)) has arguments that are not a JSON object; \(provider) needs an object: \(call.arguments.prefix(200))"
            )
        }
        return value
    }

    /// Compact JSON text with sorted keys (stable tool-call arguments).
    package static func jsonText(_ value: JSONValue) -> String {
        String(decoding: JSONCodec.encode(value, sortedKeys: true), as: UTF8.self)
    }

    /// The string or strings of an OpenAI-style `stop` value.
    package static func stopSequences(_ value: JSONValue) -> JSONValue {
        if let s = value.stringValue { return [.string(s)] }
        return value
    }

    /// An `.unsupported` error for an option the provider lacks.
    package static func unsupported(_ key: String, provider: String, hint: String = "") -> ModelError {
        ModelError(
            .unsupported, "\(provider) does not support '\(key)'\(hint.isEmpty ? "" : ": \(hint)")")
    }

    /// Throws when `n` asks for more than one choice.
    package static func requireSingleChoice(_ value: JSONValue, provider: String) throws(ModelError) {
        if let n = value.intValue, n <= 1 { return }
        throw unsupported("n", provider: provider, hint: "it returns one reply per request; got n = \(value)")
    }

    /// The tool calls of every assistant message, by id, for providers whose tool results name
    /// the function instead of the call id.
    package static func toolNamesByID(_ prompt: Prompt) -> [String: String] {
        var names: [String: String] = [:]
        for message in prompt.messages where message.role == .assistant {
            for call in message.toolCalls { names[call.id] = call.name }
        }
        return names
    }

    /// The function name a tool message answers, found among earlier assistant tool calls.
    package static func toolName(for message: Message, in names: [String: String], provider: String) throws(ModelError)
        -> String
    {
        guard let id = message.toolCallID else {
            throw ModelError(.badRequest, "a tool message needs the toolCallID of the call it answers")
        }
        guard let name = names[id] else {
            throw ModelError(
                .badRequest,
                "the tool message answers call '\(id)', which no earlier assistant message made; \(provider) needs the function name"
            )
        }
        return name
    }
}
