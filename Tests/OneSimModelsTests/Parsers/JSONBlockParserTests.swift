import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("JSONBlockParser")
struct JSONBlockParserTests {
    let parser = JSONBlockParser()

    // MARK: The original's behaviour

    @Test func readsTheFencedBlock() throws {
        let text = "Here you go:\n```json\n{\"name\": \"Ada\", \"age\": 36}\n```\nAnything else?"
        #expect(try parser.parse(text) == ["name": "Ada", "age": 36])
    }

    @Test func acceptsAnyJSONType() throws {
        #expect(try parser.parse("```json\n[1, 2, 3]\n```") == [1, 2, 3])
        #expect(try parser.parse("```json\n\"text\"\n```") == "text")
        #expect(try parser.parse("```json\n42\n```") == 42)
        #expect(try parser.parse("```json\nnull\n```") == .null)
        #expect(try JSONBlockParser(strict: true).parse("```json\n3.5\n```") == 3.5)
    }

    @Test func usesTheFirstStartTagAndTheEndAfterIt() throws {
        let text = "```json\n{\"a\": 1}\n```\nand\n```json\n{\"a\": 2}\n```"
        #expect(try parser.parse(text) == ["a": 1])
    }

    @Test func customTags() throws {
        let p = JSONBlockParser(tagStart: "<json>", tagEnd: "</json>")
        #expect(try p.parse("x <json>{\"ok\": true}</json> y") == ["ok": true])
        #expect(
            try JSONBlockParser(tagStart: "<json>", tagEnd: "</json>", strict: true).parse("<json> [1] </json>") == [1])
    }

    @Test func emptyTextIsAnError() {
        #expect(thrownParseErrorKind { _ = try parser.parse("") } == .emptyResponse)
        #expect(thrownParseErrorKind { _ = try parser.parse(" \n\t ") } == .emptyResponse)
        #expect(thrownParseErrorKind { _ = try parser.parse(ModelResponse(text: nil)) } == .emptyResponse)
        #expect(thrownParseErrorKind { _ = try JSONBlockParser(strict: true).parse("") } == .emptyResponse)
    }

    @Test func strictMissingStartTag() {
        let strict = JSONBlockParser(strict: true)
        #expect(thrownParseErrorKind { _ = try strict.parse("{\"a\": 1}") } == .startTagNotFound(tag: "```json"))
        #expect(
            thrownParseErrorKind { _ = try strict.parse("```JSON\n{\"a\": 1}\n```") }
                == .startTagNotFound(tag: "```json"))
    }

    @Test func strictMissingEndTag() {
        let strict = JSONBlockParser(strict: true)
        #expect(thrownParseErrorKind { _ = try strict.parse("```json\n{\"a\": 1}") } == .endTagNotFound(tag: "```"))
    }

    @Test func strictRejectsWhatTheOriginalRejected() {
        let strict = JSONBlockParser(strict: true)
        for bad in ["{\"a\": 1,}", "{'a': 1}", "{\"a\": 1} // note", "{\"a\": True}"] {
            let kind = thrownParseErrorKind { _ = try strict.parse("```json\n\(bad)\n```") }
            guard case .invalidJSON = kind else {
                Issue.record("expected invalid JSON for \(bad), got \(String(describing: kind))")
                continue
            }
        }
    }

    // MARK: Fences inside strings, CRLF

    @Test func fenceInsideAStringDoesNotCutTheBlock() throws {
        let text = "```json\n{\"code\": \"```python\\nprint(1)\\n```\", \"n\": 1}\n```"
        let expected: JSONValue = ["code": "```python\nprint(1)\n```", "n": 1]
        #expect(try parser.parse(text) == expected)
        #expect(try JSONBlockParser(strict: true).parse(text) == expected)
    }

    @Test func fenceInsideAStringOfBrokenJSON() throws {
        // Needs a repair (trailing comma), so the block end is found without a full parse.
        let text = "```json\n{\"code\": \"a ``` b\",}\n```"
        #expect(try parser.parse(text) == ["code": "a ``` b"])
    }

    @Test func crlfLineEnds() throws {
        let text = "Result:\r\n```json\r\n{\r\n  \"a\": [1, 2],\r\n  \"b\": \"x\"\r\n}\r\n```\r\nDone."
        #expect(try parser.parse(text) == ["a": [1, 2], "b": "x"])
        #expect(try JSONBlockParser(strict: true).parse(text) == ["a": [1, 2], "b": "x"])
        let bare = "Result:\r\n```\r\n{\"a\": 1,}\r\n```\r\n"
        #expect(try parser.parse(bare) == ["a": 1])
    }

    // MARK: Lenient fallbacks, in order

    @Test func caseInsensitiveFence() throws {
        #expect(try parser.parse("```JSON\n{\"a\": 1}\n```") == ["a": 1])
        #expect(try parser.parse("```Json\n[true]\n```") == [true])
    }

    @Test func relatedLanguageWordsAfterTheTag() throws {
        #expect(try parser.parse("```jsonc\n{\"a\": 1 // one\n}\n```") == ["a": 1])
        #expect(try parser.parse("```json5\n{a: 1,}\n```") == ["a": 1])
    }

    @Test func bareFence() throws {
        #expect(try parser.parse("Sure:\n```\n{\"a\": 1}\n```") == ["a": 1])
        #expect(try parser.parse("``` json\n{\"a\": 2}\n```") == ["a": 2])
    }

    @Test func bareFenceSkipsOtherLanguagesAndProse() throws {
        let text = "```python\nx = {'not': 'this'}\n```\n```\nplain words\n```\n```\n{\"this\": 1}\n```"
        #expect(try parser.parse(text) == ["this": 1])
    }

    @Test func wholeReplyAsJSON() throws {
        #expect(try parser.parse("  {\"a\": 1}  ") == ["a": 1])
        #expect(try parser.parse("\"just a string\"") == "just a string")
        #expect(try parser.parse("12") == 12)
    }

    @Test func unfencedJSONInProse() throws {
        #expect(try parser.parse("The answer is {\"a\": 1} as requested.") == ["a": 1])
        #expect(try parser.parse("Values: [1, 2, 3]. Done.") == [1, 2, 3])
    }

    @Test func unfencedScanRespectsStringsAndEscapes() throws {
        let text = #"Note {"s": "a } and ] and \" and {", "t": [1]} end"#
        #expect(try parser.parse(text) == ["s": "a } and ] and \" and {", "t": [1]])
    }

    @Test func unfencedPrefersAnObjectToAnArray() throws {
        // "[1]" is valid JSON too, but loose objects come before loose arrays.
        let text = "See [1]. Result: {\"name\": \"x\", \"tags\": [\"a\", \"b\"]}"
        #expect(try parser.parse(text) == ["name": "x", "tags": ["a", "b"]])
    }

    @Test func unfencedSkipsProseInBraces() throws {
        #expect(try parser.parse("Use the {placeholder} form: {\"k\": \"v\"}") == ["k": "v"])
        #expect(try parser.parse("A stray { opens here, then {\"k\": 1} follows") == ["k": 1])
    }

    @Test func exactTagWinsOverEarlierJSON() throws {
        let text = "{\"draft\": true}\n```json\n{\"final\": true}\n```"
        #expect(try parser.parse(text) == ["final": true])
    }

    @Test func missingEndTagIsRepairedWhenLenient() throws {
        #expect(try parser.parse("```json\n{\"a\": 1}") == ["a": 1])
        #expect(try parser.parse("```json\n{\"a\": [1, 2") == ["a": [1, 2]])
    }

    @Test func trailingTextInsideTheBlock() throws {
        #expect(try parser.parse("```json\n{\"a\": 1}\nThat's all.\n```") == ["a": 1])
    }

    @Test func closingFenceOnTheSameLine() throws {
        #expect(try parser.parse("```json\n{\"a\": 1}```") == ["a": 1])
        #expect(try parser.parse("```json\n{'a': 1}```\nmore\n```") == ["a": 1])
    }

    @Test func nothingFoundIsStartTagNotFound() {
        #expect(
            thrownParseErrorKind { _ = try parser.parse("I cannot answer that.") } == .startTagNotFound(tag: "```json"))
        #expect(thrownParseErrorKind { _ = try parser.parse("use {curly} braces") } != nil)
    }

    @Test func brokenBlockReportsItsOwnPosition() throws {
        let text = "Intro\n```json\n{\"a\": 1, \"b\": nope}\n```"
        let kind = thrownParseErrorKind { _ = try parser.parse(text) }
        guard case .invalidJSON(_, let line, let column, let offset) = kind else {
            Issue.record("expected invalid JSON, got \(String(describing: kind))")
            return
        }
        #expect(line == 3)
        #expect(column == 15)
        #expect(Array(text.utf8)[offset] == UInt8(ascii: "n"))
    }

    // MARK: The response is copied, not changed

    @Test func parseReturnsACopy() throws {
        let response = ModelResponse(text: "```json\n{\"a\": 1}\n```")
        let parsed = try parser.parse(response)
        #expect(parsed.parsed == ["a": 1])
        #expect(response.parsed == nil)
        #expect(parsed.text == response.text)
    }

    // MARK: Instructions

    @Test func formatInstructionKeepsTheOriginalLayoutWithoutDoubledFences() {
        #expect(
            parser.formatInstruction
                == "Respond with a JSON object in a markdown code block as follows:\n```json\n{your_json_object}\n```")
        #expect(parser.formatInstruction.components(separatedBy: "```").count == 3)
    }

    @Test func fencedHintIsNotDoubled() {
        let p = JSONBlockParser(contentHint: "```json\n{\"a\": 1}\n```")
        #expect(
            p.formatInstruction
                == "Respond with a JSON object in a markdown code block as follows:\n```json\n{\"a\": 1}\n```")
    }

    @Test func stringAndJSONHints() {
        #expect(JSONBlockParser(contentHint: "{\"x\": ...}").formatInstruction.hasSuffix("```json\n{\"x\": ...}\n```"))
        let p = JSONBlockParser(contentHint: ["name": "中文", "list": [1, 2]] as JSONValue)
        let expected = "{\n  \"list\": [\n    1,\n    2\n  ],\n  \"name\": \"中文\"\n}"
        #expect(p.contentHint == expected)
        #expect(p.formatInstruction.hasSuffix("```json\n\(expected)\n```"))
    }

    @Test func customTagsAppearInTheInstruction() {
        let p = JSONBlockParser(tagStart: "<json>", tagEnd: "</json>")
        #expect(
            p.formatInstruction
                == "Respond with a JSON object in a markdown code block as follows:\n<json>\n{your_json_object}\n</json>"
        )
    }
}

extension JSONBlockParserTests {
    @Test func tagQuotedInsideJSONIsNotTheBlock() throws {
        // Found by the property tests: a "```json" inside a string value must not start a block.
        let unfenced = #"Result: {"note": "wrap it in ```json fences", "n": 1} done"#
        #expect(try parser.parse(unfenced) == ["note": "wrap it in ```json fences", "n": 1])
        let earlier = "{\"hint\": \"use ```json\"}\n```json\n{\"real\": true}\n```"
        #expect(try parser.parse(earlier) == ["real": true])
        #expect(try JSONBlockParser(strict: true).parse(earlier) == ["real": true])
        let otherFence = "```JSON\n{\"k\": \"a ```json b\"}\n```"
        #expect(try parser.parse(otherFence) == ["k": "a ```json b"])
    }

    @Test func tagInTheMiddleOfALine() throws {
        let text = "Here is the JSON:```json\n{\"a\": 1}\n```"
        #expect(try parser.parse(text) == ["a": 1])
        #expect(try JSONBlockParser(strict: true).parse(text) == ["a": 1])
        #expect(try parser.parse("Answer: ```json {\"a\": 2}```") == ["a": 2])
        #expect(try parser.parse("Answer: ```json 42```") == 42)
    }

    @Test func aScalarFollowedByTextIsNotAReply() {
        // An object may be followed by a note inside the block; a lone scalar may not.
        let kind = thrownParseErrorKind { _ = try parser.parse("```json\n\"a\" and then some\n```") }
        guard case .invalidJSON = kind else {
            Issue.record("expected invalid JSON, got \(String(describing: kind))")
            return
        }
    }
}
