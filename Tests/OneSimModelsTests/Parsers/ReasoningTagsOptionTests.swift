import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers

/// The `reasoningTags` option of every parser: its default, turning it off, custom names.
@Suite("Reasoning tags option")
struct ReasoningTagsOptionTests {
    @Test func defaultNames() {
        let expected = ["think", "thinking", "reasoning"]
        #expect(JSONBlockParser().reasoningTags == expected)
        #expect(JSONBlockParser(contentHint: ["a": 1]).reasoningTags == expected)
        #expect(JSONDictParser().reasoningTags == expected)
        #expect(JSONDictParser().blockParser.reasoningTags == expected)
        #expect(TagParser(tagStart: "<a>", tagEnd: "</a>").reasoningTags == expected)
        #expect(MultiTagParser(tagStart: "<a>", tagEnd: "</a>").reasoningTags == expected)
        #expect(CodeBlockParser().reasoningTags == expected)
        #expect(LanguageCodeParser(languages: ["sql"]).reasoningTags == expected)
        #expect(ReasoningBlocks.defaultTags == expected)
    }

    @Test func emptyListReadsReasoningAsText() throws {
        let text = "<think>{\"v\": 1}</think>"
        #expect(try JSONBlockParser(reasoningTags: []).parse(text) == ["v": 1])
        #expect(try JSONDictParser(reasoningTags: []).parse(text) == ["v": 1])
        #expect(thrownParseErrorKind { _ = try JSONBlockParser().parse(text) } != nil)
        let tags = "<think>maybe <answer>41</answer>?</think><answer>42</answer>"
        #expect(try TagParser(tagStart: "<answer>", tagEnd: "</answer>", reasoningTags: []).parse(tags) == "41")
        #expect(try MultiTagParser(tagStart: "<answer>", tagEnd: "</answer>", reasoningTags: []).parse(tags) == ["41", "42"])
        let code = "<think>\n```sql\nSELECT 1\n```\n</think>"
        #expect(try CodeBlockParser(language: "sql", reasoningTags: []).parse(code) == "SELECT 1")
        #expect(try LanguageCodeParser(languages: ["sql"], reasoningTags: []).parse(code) == ["sql": ["SELECT 1"]])
    }

    @Test func customNames() throws {
        let text = "<scratch>\n{\"v\": 1}\n</scratch>\n<think>x</think> {\"v\": 2}"
        #expect(try JSONBlockParser(reasoningTags: ["scratch"]).parse(text) == ["v": 2])
    }

    @Test func parsersOwnTagIsNotSkipped() throws {
        let text = "<think>plan: walk</think>\n<answer>ok</answer>"
        #expect(try TagParser(tagStart: "<think>", tagEnd: "</think>").parse(text) == "plan: walk")
        #expect(try JSONBlockParser(tagStart: "<think>", tagEnd: "</think>").parse("<think>{\"v\": 1}</think>") == ["v": 1])
    }

    @Test func blankingKeepsOffsetsAndLines() {
        let text = "<think>\né {\"a\": 1}\n</think>\n{\"b\": }"
        guard case .invalidJSON(_, let line, _, let offset)? = thrownParseErrorKind({ _ = try JSONBlockParser().parse(text) })
        else {
            Issue.record("expected invalid JSON")
            return
        }
        #expect(line == 4)
        #expect(offset == Array(text.utf8).count - 1)
        let (blanked, found) = ReasoningBlocks.blanked(Array(text.utf8), tags: ["think"], parserTags: [])
        #expect(found)
        #expect(blanked.count == Array(text.utf8).count)
        #expect(blanked.filter { $0 == 0x0A }.count == 3)
    }
}
