import OneSimModelsCore

/// Every failed attempt of a parse-and-retry call (`acall(_:parser:maxParseRetries:...)`).
public struct ParseRetryError: Error, Sendable, CustomStringConvertible {
    /// One reply that could not be parsed.
    public struct Attempt: Sendable {
        /// The reply as the model sent it, before the failed parse.
        public var response: ModelResponse
        /// Why it could not be parsed.
        public var error: ParseError

        /// The record of one reply and why it could not be parsed.
        public init(response: ModelResponse, error: ParseError) {
            self.response = response
            self.error = error
        }
    }

    /// Every attempt, in order (1 + `maxParseRetries` of them).
    public var attempts: [Attempt]

    /// An error holding `attempts`, in the order they were made (an empty list is allowed but
    /// says nothing).
    public init(attempts: [Attempt]) { self.attempts = attempts }

    /// Each attempt's parse error, in order.
    public var errors: [ParseError] { attempts.map(\.error) }

    /// `"Could not parse the model's reply after 3 attempts: 1) ...; 2) ...; 3) ..."`.
    public var description: String {
        let list = attempts.enumerated().map { "\($0.offset + 1)) \($0.element.error.message)" }
        return "Could not parse the model's reply after \(attempts.count) attempt\(attempts.count == 1 ? "" : "s"): "
            + list.joined(separator: "; ")
    }
}

extension ModelAdapter {
    /// Sends `prompt` and parses the reply with `parser`, asking again (up to `maxParseRetries`
    /// more times) while the reply cannot be parsed.
    ///
    /// With `feedbackErrors`, each retry continues the conversation: the unparsable reply is
    /// added as an assistant message and the parse error as a user message asking for a fixed
    /// answer in the parser's format, so the model can correct itself. Without it, the same
    /// prompt is sent again. There is no wait between attempts (a parse failure is not a rate
    /// problem); errors of the call itself (`ModelError`, cancellation) are thrown at once,
    /// since transport retries belong to the adapter or balancer.
    ///
    /// - Returns: the first reply that parses, with `parsed` set.
    /// - Throws: `ParseRetryError` with every attempt's reply and `ParseError` when none parses.
    public func acall(
        _ prompt: Prompt, parser: some ResponseParser, maxParseRetries: Int, options: CallOptions = .none,
        feedbackErrors: Bool = true
    ) async throws -> ModelResponse {
        var conversation = prompt
        var attempts: [ParseRetryError.Attempt] = []
        let total = max(0, maxParseRetries) + 1
        for attempt in 1...total {
            if attempt > 1 { try Task.checkCancellation() }
            let response = try await acall(conversation, options: options)
            do throws(ParseError) {
                return try parser.parse(response)
            } catch {
                attempts.append(ParseRetryError.Attempt(response: response, error: error))
                if attempt < total && feedbackErrors {
                    conversation.messages.append(AssistantMessage(response.text ?? ""))
                    conversation.messages.append(
                        UserMessage(ParseRetryError.feedback(for: error, formatInstruction: parser.formatInstruction)))
                }
            }
        }
        throw ParseRetryError(attempts: attempts)
    }
}

extension ParseRetryError {
    /// The user message that asks the model to fix an unparsable reply.
    static func feedback(for error: ParseError, formatInstruction: String) -> String {
        "Your previous response could not be parsed: \(error.message)\n\n"
            + "Please answer again, following this format exactly.\n\(formatInstruction)"
    }
}
