import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("TagParser and MultiTagParser")
struct TagParserTests {
    @Test func firstBlockTrimmed() throws {
        let parser = TagParser(tagStart: "<answer>", tagEnd: "</answer>")
        #expect(try parser.parse("I think <answer>\n 42 \n</answer> and <answer>7</answer>") == "42")
        #expect(try parser.parse(ModelResponse(text: "<answer>yes</answer>")).parsed == "yes")
    }

    @Test func tagErrors() {
        let parser = TagParser(tagStart: "<answer>", tagEnd: "</answer>")
        #expect(thrownParseErrorKind { _ = try parser.parse("") } == .emptyResponse)
        #expect(
            thrownParseErrorKind { _ = try parser.parse("<ANSWER>x</ANSWER>") } == .startTagNotFound(tag: "<answer>"))
        #expect(thrownParseErrorKind { _ = try parser.parse("<answer>cut off") } == .endTagNotFound(tag: "</answer>"))
        // The end tag must come after the start tag.
        #expect(
            thrownParseErrorKind { _ = try parser.parse("</answer> <answer>x") } == .endTagNotFound(tag: "</answer>"))
    }

    @Test func tagInstruction() {
        #expect(
            TagParser(tagStart: "<a>", tagEnd: "</a>").formatInstruction
                == "Respond with your content between the following tags:\n<a>\n{your_content}\n</a>")
        #expect(
            TagParser(tagStart: "<a>", tagEnd: "</a>", contentHint: "yes or no").formatInstruction.hasSuffix(
                "<a>\nyes or no\n</a>"))
    }

    @Test func unnamedListOfEveryBlock() throws {
        let parser = MultiTagParser(tagStart: "<item>", tagEnd: "</item>")
        #expect(try parser.parse("<item> a </item> x <item>b</item><item>\nc\n</item>") == ["a", "b", "c"])
        // An unterminated start tag is skipped; no tags at all is an empty list.
        #expect(try parser.parse("<item>a</item> <item>b") == ["a"])
        #expect(try parser.parse("no tags here") == [])
    }

    @Test func unnamedScanDoesNotOverlap() throws {
        let parser = MultiTagParser(tagStart: "[", tagEnd: "]")
        #expect(try parser.parse("[a [b] c] [d]") == ["a [b", "d"])
    }

    @Test func namedDictionary() throws {
        let parser = MultiTagParser(tagStart: "<tag:", tagEnd: "</tag>", namedTags: true, requiredTags: ["plan"])
        let text = "<tag: plan >walk</tag>\n<tag:mood>calm</tag><tag:mood>\nhappy\n</tag>"
        #expect(try parser.parse(text) == ["plan": "walk", "mood": "happy"])
        #expect(thrownParseErrorKind { _ = try parser.parse("<tag:mood>calm</tag>") } == .missingKeys(["plan"]))
        #expect(try MultiTagParser(tagStart: "<tag:", tagEnd: "</tag>", namedTags: true).parse("nothing") == [:])
    }

    @Test func missingTagsInRequiredOrder() {
        let parser = MultiTagParser(tagStart: "<t:", tagEnd: "</t>", namedTags: true, requiredTags: ["c", "a", "b"])
        #expect(thrownParseErrorKind { _ = try parser.parse("<t:a>1</t>") } == .missingKeys(["c", "b"]))
    }

    @Test func emptyTagsDoNotLoopForever() throws {
        #expect(try MultiTagParser(tagStart: "", tagEnd: "").parse("ab").arrayValue?.isEmpty == false)
    }

    @Test func instructions() {
        let named = MultiTagParser(
            tagStart: "<tag:", tagEnd: "</tag>", namedTags: true, requiredTags: ["plan", "mood"],
            contentHint: ["plan": "your plan", "mood": "one word"])
        #expect(
            named.formatInstruction
                == "Respond with your content in multiple named tags as follows: Required tags: plan, mood.\n"
                + "<tag:plan>your plan\n</tag>\n<tag:mood>one word\n</tag>")
        #expect(
            MultiTagParser(tagStart: "<tag:", tagEnd: "</tag>", namedTags: true).formatInstruction
                == "Respond with your content in multiple named tags as follows:\n<tag:tag_name>your_content\n</tag>")
        #expect(
            MultiTagParser(tagStart: "<i>", tagEnd: "</i>").formatInstruction
                == "Respond with your content in multiple tags as follows:\n<i>your_content\n</i>\n<i>your_content\n</i>"
        )
    }
}
