import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers

/// Issue 16: reasoning is not the answer, and no parser returns a wrong value without an error.
@Suite("Reasoning blocks and candidate selection")
struct ReasoningAndSelectionTests {
    // MARK: Reasoning is not the answer

    @Test func draftJSONInsideThinkIsNotTheAnswer() throws {
        let text = "<think>I will output {\"name\": \"draft\", \"age\": 1} maybe.</think>\n{\"name\": \"final\"}"
        #expect(try JSONDictParser(requiredKeys: ["name"]).parse(text) == ["name": "final"])
        #expect(try JSONBlockParser().parse(text) == ["name": "final"])
    }

    @Test func fencedDraftInsideThinkIsNotTheAnswer() throws {
        let think = "<think>\nDraft:\n```json\n{\"name\": \"draft\"}\n```\nLooks fine.\n</think>\n"
        #expect(try JSONDictParser().parse(think + "```json\n{\"name\": \"final\"}\n```") == ["name": "final"])
        #expect(try JSONDictParser().parse(think + "Final: {\"name\": \"final\"}") == ["name": "final"])
        #expect(try JSONBlockParser().parse(think + "```\n[1, 2]\n```") == [1, 2])
        #expect(try JSONBlockParser(strict: true).parse(think + "```json\n{\"name\": \"final\"}\n```") == ["name": "final"])
    }

    @Test func tagInsideThinkIsNotTheAnswer() throws {
        let text = "<think>maybe <answer>41</answer>?</think><answer>42</answer>"
        #expect(try TagParser(tagStart: "<answer>", tagEnd: "</answer>").parse(text) == "42")
        #expect(try MultiTagParser(tagStart: "<answer>", tagEnd: "</answer>").parse(text) == ["42"])
        let named = "<thinking>\n<tag:plan>nap</tag><tag:mood>sad</tag>\n</thinking>\n<tag:plan>walk</tag>"
        #expect(try MultiTagParser(tagStart: "<tag:", tagEnd: "</tag>", namedTags: true).parse(named) == ["plan": "walk"])
    }

    @Test func codeInsideReasoningIsNotTheAnswer() throws {
        let text = "<reasoning>\n```python\nprint('draft')\n```\n</reasoning>\n```python\nprint('final')\n```"
        #expect(try CodeBlockParser(language: "python").parse(text) == "print('final')")
        #expect(try CodeBlockParser(language: "python").codeBlocks(in: text) == ["print('final')"])
        #expect(try LanguageCodeParser(languages: ["python"]).parse(text) == ["python": ["print('final')"]])
    }

    @Test func reasoningTagsMatchInAnyCase() throws {
        let text = "<THINK>{\"v\": 1}</Think>\n{\"v\": 2}"
        #expect(try JSONBlockParser().parse(text) == ["v": 2])
    }

    /// A chat template that writes `<think>` into the prompt: the reply starts inside the reasoning.
    @Test func leadingClosingTagEndsReasoningFromTheStart() throws {
        let text = "Let me try {\"name\": \"draft\"} first.\n</think>\n\n{\"name\": \"final\"}"
        #expect(try JSONDictParser(requiredKeys: ["name"]).parse(text) == ["name": "final"])
        let sameLine = "ok so <answer>1</answer>\n</think><answer>2</answer>"
        #expect(try TagParser(tagStart: "<answer>", tagEnd: "</answer>").parse(sameLine) == "2")
    }

    /// A reply cut off while reasoning has no answer: an error, never the draft.
    @Test func unclosedReasoningIsAnErrorNotTheDraft() {
        let json = "<think>I will output {\"name\": \"draft\", \"age\": 1} and then"
        #expect(thrownParseErrorKind { _ = try JSONDictParser(requiredKeys: ["name"]).parse(json) } != nil)
        #expect(thrownParseErrorKind { _ = try JSONBlockParser().parse(json) } == .startTagNotFound(tag: "```json"))
        #expect(thrownParseErrorKind { _ = try JSONBlockParser(strict: true).parse(json) } != nil)
        let tag = "<think>maybe <answer>41</answer> or"
        #expect(thrownParseErrorKind { _ = try TagParser(tagStart: "<answer>", tagEnd: "</answer>").parse(tag) } != nil)
        #expect(thrownParseErrorKind { _ = try MultiTagParser(tagStart: "<answer>", tagEnd: "</answer>").parse(tag) } != nil)
        let code = "<think>\n```python\nprint('draft')\n```\nhmm"
        #expect(thrownParseErrorKind { _ = try CodeBlockParser(language: "python").parse(code) } != nil)
        #expect(thrownParseErrorKind { _ = try LanguageCodeParser(languages: ["python"]).parse(code) } != nil)
    }

    /// Only a tag that starts a line opens reasoning: a tag quoted in the answer is text.
    @Test func reasoningTagInsideTheAnswerIsText() throws {
        #expect(try JSONBlockParser().parse("{\"text\": \"use <think> tags\"}") == ["text": "use <think> tags"])
        #expect(try JSONBlockParser().parse("{\"t\": \"</think>\"}") == ["t": "</think>"])
        #expect(try TagParser(tagStart: "<a>", tagEnd: "</a>").parse("<a>say <think> aloud</a>") == "say <think> aloud")
    }

    // MARK: No silent wrong values

    /// A block that needs repair never wins over a block that parses as it is.
    @Test func truncatedFirstBlockLosesToValidSecond() throws {
        let text = "```json\n{\"v\": \n```\nSorry, again:\n```json\n{\"v\": 3}\n```"
        #expect(try JSONBlockParser().parse(text) == ["v": 3])
        let bare = "```\n{\"v\": \n```\nSorry:\n```\n{\"v\": 3}\n```"
        #expect(try JSONBlockParser().parse(bare) == ["v": 3])
        // With no valid block, the repair still works.
        #expect(try JSONBlockParser().parse("```json\n{\"v\": 1,}\n```") == ["v": 1])
    }

    /// Truncation repair closes what was complete, never invents a member from a fragment.
    @Test func truncatedKeyFragmentIsDropped() throws {
        #expect(try JSONBlockParser().parse("{\"a\": 1, \"bo") == ["a": 1])
        #expect(try JSONBlockParser().parse("```json\n{\"a\": 1, \"bo") == ["a": 1])
        #expect(try JSONBlockParser().parse("{\"a\": [1, {\"b\": 2, \"c") == ["a": [1, ["b": 2]]])
        // An unquoted word is never guessed at, cut off or not.
        #expect(thrownParseErrorKind { _ = try JSONBlockParser().parse("{\"a\": 1, bo") } != nil)
        // Complete parts are still closed as documented.
        #expect(try JSONBlockParser().parse("{\"a\": \"hel") == ["a": "hel"])
        #expect(try JSONBlockParser().parse("{\"a\": 1, \"b\":") == ["a": 1, "b": .null])
        // Strict mode does not repair at all.
        #expect(thrownParseErrorKind { _ = try JSONBlockParser(strict: true).parse("```json\n{\"a\": 1, \"bo") } != nil)
    }

    /// A fence line inside a string with raw newlines does not end the block.
    @Test func fenceLineInsideStringWithRawNewlines() throws {
        let text = "```json\n{\"md\": \"Use:\n```\ncode\n```\n\"}\n```\nDone."
        #expect(try JSONBlockParser().parse(text) == ["md": "Use:\n```\ncode\n```\n"])
        let bare = "```\n{\"md\": \"Use:\n```\ncode\n```\n\"}\n```"
        #expect(try JSONBlockParser().parse(bare) == ["md": "Use:\n```\ncode\n```\n"])
    }

    @Test func spanScannerSkipsComments() throws {
        #expect(try JSONBlockParser().parse("Answer: { /* } */ \"a\": 1 }") == ["a": 1])
        #expect(try JSONBlockParser().parse("Answer: {\n // a } here\n \"a\": 1 }") == ["a": 1])
        #expect(try JSONBlockParser().parse("See http://x.org: {\"u\": \"http://y\"}") == ["u": "http://y"])
    }

    /// Loose JSON in prose: the first span that parses as it is, in the order they appear.
    @Test func firstLooseObjectWins() throws {
        #expect(try JSONBlockParser().parse("First {\"a\": 1} then {\"bb\": 22, \"c\": 3}.") == ["a": 1])
        // One that needs repair loses to a later valid one.
        #expect(try JSONBlockParser().parse("Try {'a': 1,} or {\"b\": 2}") == ["b": 2])
        // The open tail of a truncated reply beats the complete objects inside it.
        #expect(try JSONBlockParser().parse("Here: {\"a\": {\"b\": 1}, \"c\": \"x") == ["a": ["b": 1], "c": "x"])
        // Objects before arrays, for either parser.
        #expect(try JSONDictParser().parse("Scores [1, 2] and {\"a\": 1}") == ["a": 1])
        #expect(try JSONBlockParser().parse("Scores [1, 2] and {\"a\": 1}") == ["a": 1])
        #expect(try JSONBlockParser().parse("Scores [1, 2] and [3]") == [1, 2])
    }

    @Test func outOfRangeNumbersAreErrors() throws {
        for text in ["{\"x\": 1e400}", "{\"x\": -1e400}", "{\"x\": 1e-400}", "[1" + String(repeating: "0", count: 400) + "]"] {
            for parser in [JSONBlockParser(), JSONBlockParser(strict: true)] {
                let fenced = "```json\n" + text + "\n```"
                guard case .invalidJSON(let reason, _, _, _)? = thrownParseErrorKind({ _ = try parser.parse(fenced) })
                else {
                    Issue.record("\(text) should be invalid JSON")
                    continue
                }
                #expect(reason.contains("number"))
            }
            #expect(thrownParseErrorKind { _ = try JSONBlockParser().parse("Here: " + text) } != nil)
            #expect(thrownParseErrorKind { _ = try JSONBlockParser().parse(text) } != nil)
        }
        // Numbers in range are kept.
        #expect(try JSONBlockParser().parse("{\"x\": 1e308, \"y\": 0e-400, \"z\": 2.5e-308}") == ["x": 1e308, "y": 0.0, "z": 2.5e-308])
    }

    @Test func nestingLimitIsExact() throws {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        #expect(try JSONBlockParser().parse(nested(512)).arrayValue != nil)
        #expect(try JSONBlockParser(strict: true).parse("```json\n" + nested(512) + "\n```").arrayValue != nil)
        for text in [nested(513), "```json\n" + nested(513) + "\n```", "x " + nested(513)] {
            #expect(thrownParseErrorKind { _ = try JSONBlockParser().parse(text) } != nil)
        }
        #expect(thrownParseErrorKind { _ = try JSONBlockParser(strict: true).parse("```json\n" + nested(513) + "\n```") } != nil)
        // A truncated reply 513 deep is not closed either.
        #expect(thrownParseErrorKind { _ = try JSONBlockParser().parse(String(repeating: "[", count: 513)) } != nil)
    }
}
