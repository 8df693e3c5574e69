import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("JSONCodec")
struct JSONCodecTests {
    @Test func parsesEveryValueKind() throws {
        let value = try JSONCodec.parse(#"{"a": [1, -2.5, 3e2, true, false, null, "x"], "b": {"c": ""}}"#)
        #expect(value["a"]?[0] == .int(1))
        #expect(value["a"]?[1] == .double(-2.5))
        #expect(value["a"]?[2] == .double(300))
        #expect(value["a"]?[3] == .bool(true))
        #expect(value["a"]?[5] == .null)
        #expect(value["a"]?[6] == .string("x"))
        #expect(value["b"]?["c"] == .string(""))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONCodec.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\n\té😀"))
    }

    @Test func roundTripsThroughEncode() throws {
        let original: JSONValue = [
            "text": "line\nbreak \"quoted\" \u{1} é 😀", "n": 42, "x": 1.5, "list": [nil, true, [:]], "big": .int(Int.max),
        ]
        let bytes = JSONCodec.encode(original)
        #expect(try JSONCodec.parse(bytes) == original)
    }

    @Test func reportsLineAndColumn() {
        let error = #expect(throws: JSONSyntaxError.self) { try JSONCodec.parse("{\n  \"a\": 1,\n  \"b\" 2\n}") }
        #expect(error?.line == 3)
        #expect(error?.column == 7)
        #expect(error?.description.contains("expected ':'") == true)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\":}", "tru", "01", "1.", "\"abc", "{} x", "\"a\u{1}\"", "[1 2]"])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONCodec.parse(text) }
    }

    @Test func rejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONSyntaxError.self) { try JSONCodec.parse(deep) }
    }

    @Test func parsePrefixStopsAfterTheValue() throws {
        let text = Array(#"{"a": 1} trailing"#.utf8)
        let (value, end) = try text.withUnsafeBytes { try JSONCodec.parsePrefix($0, from: 0) }
        #expect(value == ["a": 1])
        #expect(end == 8)
    }

    @Test func descriptionIsSortedCompactJSON() {
        let value: JSONValue = ["b": 1, "a": [true]]
        #expect(value.description == #"{"a":[true],"b":1}"#)
    }
}
