import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// A model that answers with scripted replies, in order, and records every prompt it gets.
private struct ScriptedModel: ModelAdapter {
    final class Log: Sendable {
        let prompts = Mutex<[Prompt]>([])
    }

    let configName = "scripted"
    let replies: [String?]
    let log = Log()

    var prompts: [Prompt] { log.prompts.withLock { $0 } }

    func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        let index = log.prompts.withLock { prompts in
            prompts.append(prompt)
            return prompts.count - 1
        }
        guard index < replies.count else { throw ModelError(.serverError, "script exhausted", configName: configName) }
        return ModelResponse(text: replies[index])
    }
}

@Suite("Parse and retry")
struct ParseRetryTests {
    let parser = JSONDictParser(requiredKeys: ["answer"], strict: true)
    let prompt: Prompt = [SystemMessage("Be brief."), UserMessage("What is 6 x 7?")]

    @Test func firstGoodReplyIsReturnedWithoutRetrying() async throws {
        let model = ScriptedModel(replies: ["```json\n{\"answer\": 42}\n```", "unused"])
        let response = try await model.acall(prompt, parser: parser, maxParseRetries: 3)
        #expect(response.parsed == ["answer": 42])
        #expect(model.prompts.count == 1)
    }

    @Test func retriesWithTheErrorInTheConversation() async throws {
        let model = ScriptedModel(replies: ["42", "```json\n{\"result\": 42}\n```", "```json\n{\"answer\": 42}\n```"])
        let response = try await model.acall(prompt, parser: parser, maxParseRetries: 2)
        #expect(response.parsed == ["answer": 42])
        let prompts = model.prompts
        #expect(prompts.count == 3)
        #expect(prompts[0] == prompt)
        // Second call: the prompt, the bad reply, and a request to fix it.
        #expect(prompts[1].messages.count == 4)
        #expect(Array(prompts[1].messages.prefix(2)) == prompt.messages)
        #expect(prompts[1].messages[2] == AssistantMessage("42"))
        #expect(prompts[1].messages[3].role == .user)
        let feedback = prompts[1].messages[3].text
        #expect(feedback.contains("Start tag '```json' not found in response."))
        #expect(feedback.hasSuffix(parser.formatInstruction))
        // Third call: the whole conversation so far.
        #expect(prompts[2].messages.count == 6)
        #expect(prompts[2].messages[4] == AssistantMessage("```json\n{\"result\": 42}\n```"))
        #expect(prompts[2].messages[5].text.contains("Missing required keys in response: answer."))
    }

    @Test func withoutFeedbackTheSamePromptIsSentAgain() async throws {
        let model = ScriptedModel(replies: ["no", "```json\n{\"answer\": 1}\n```"])
        let response = try await model.acall(prompt, parser: parser, maxParseRetries: 1, feedbackErrors: false)
        #expect(response.parsed == ["answer": 1])
        #expect(model.prompts == [prompt, prompt])
    }

    @Test func finalFailureKeepsEveryAttempt() async throws {
        let model = ScriptedModel(replies: ["no", nil, "```json\n[1]\n```", "never asked"])
        do {
            _ = try await model.acall(prompt, parser: parser, maxParseRetries: 2)
            Issue.record("expected a ParseRetryError")
        } catch let error as ParseRetryError {
            #expect(
                error.errors.map(\.kind) == [
                    .startTagNotFound(tag: "```json"), .emptyResponse, .notADictionary(found: "array"),
                ])
            #expect(error.attempts.map(\.response.text) == ["no", nil, "```json\n[1]\n```"])
            #expect(error.description.hasPrefix("Could not parse the model's reply after 3 attempts: 1) Start tag"))
        }
        #expect(model.prompts.count == 3)
        // A reply with no text is fed back as an empty assistant message.
        #expect(model.prompts[2].messages[4] == AssistantMessage(""))
    }

    @Test func zeroOrNegativeRetriesMeansOneAttempt() async throws {
        for retries in [0, -3] {
            let model = ScriptedModel(replies: ["no", "```json\n{\"answer\": 1}\n```"])
            await #expect(throws: ParseRetryError.self) {
                _ = try await model.acall(self.prompt, parser: self.parser, maxParseRetries: retries)
            }
            #expect(model.prompts.count == 1)
        }
    }

    @Test func modelErrorsAreNotParseRetries() async throws {
        let model = ScriptedModel(replies: ["no"])
        do {
            _ = try await model.acall(prompt, parser: parser, maxParseRetries: 5)
            Issue.record("expected the model's error")
        } catch let error as ModelError {
            #expect(error.kind == .serverError)
        }
        #expect(model.prompts.count == 2)
    }

    @Test func cancellationStopsRetrying() async throws {
        let model = ScriptedModel(replies: Array(repeating: "no", count: 10))
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await model.acall(prompt, parser: parser, maxParseRetries: 9)
        }
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(model.prompts.count == 1)
    }

    @Test func worksWithAnyParser() async throws {
        let model = ScriptedModel(replies: ["<a>x", "<a> ok </a>"])
        let response = try await model.acall(
            "Say ok", parser: TagParser(tagStart: "<a>", tagEnd: "</a>"), maxParseRetries: 1)
        #expect(response.parsed == "ok")
    }
}
