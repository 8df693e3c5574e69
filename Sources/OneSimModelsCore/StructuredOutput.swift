import Foundation

/// A reply decoded into your type, with the response it came from.
public struct StructuredResponse<Value: Sendable>: Sendable {
    /// The reply decoded into `Value`.
    public var value: Value
    /// The model's response (usage, model info, raw).
    public var response: ModelResponse
}

extension ModelAdapter {
    /// Asks for a reply that follows `schema` (`response_format: json_schema`) and decodes it
    /// into `T`.
    ///
    /// A refusal throws `.refusal`, a reply cut off by `max_tokens` throws `.truncated`, a
    /// filtered one `.contentFiltered`, and a reply that does not decode into `T` throws
    /// `.decoding` with the decoder's reason — never a crash.
    public func acall<T: Decodable & Sendable>(
        _ prompt: Prompt, returning type: T.Type, schema: JSONValue, name: String = "response", strict: Bool = true,
        options: CallOptions = .none, decoder: JSONDecoder = JSONDecoder()
    ) async throws -> StructuredResponse<T> {
        var options = options
        options.responseFormat = .jsonSchema(name: name, schema: schema, strict: strict)
        let response = try await acall(prompt, options: options)
        return StructuredResponse(value: try Self.decodeStructured(response, as: type, decoder: decoder), response: response)
    }

    /// Checks a structured reply and decodes its text into `T`.
    static func decodeStructured<T: Decodable>(_ response: ModelResponse, as type: T.Type, decoder: JSONDecoder) throws(ModelError) -> T {
        let config = response.modelInfo.configName
        if let refusal = response.refusal {
            throw ModelError(.refusal, "the model refused: \(refusal)", configName: config)
        }
        switch response.finishReason {
        case "length":
            throw ModelError(
                .truncated, "the reply was cut off by max_tokens before the JSON was complete", configName: config,
                partialText: response.text)
        case "content_filter":
            throw ModelError(.contentFiltered, "the reply was withheld by the provider's content filter", configName: config)
        default:
            break
        }
        guard let text = response.text, !text.isEmpty else {
            throw ModelError(.decoding, "the reply has no text to decode into \(T.self)", configName: config)
        }
        do {
            return try decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw ModelError(
                .decoding, "the reply is not a valid \(T.self): \(error)", configName: config, partialText: text)
        }
    }
}
