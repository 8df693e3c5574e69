import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("JSON repairs")
struct JSONRepairTests {
    /// The repaired text parsed, or `nil` when the repair gives up.
    func repaired(_ text: String) -> JSONValue? {
        guard let fixed = JSONRepair.repair(Array(text.utf8)) else { return nil }
        return try? JSONCodec.parse(fixed)
    }

    @Test func trailingCommas() {
        #expect(repaired("{\"a\": 1, \"b\": [1, 2,],}") == ["a": 1, "b": [1, 2]])
        #expect(repaired("[1,,2,]") == [1, 2])
    }

    @Test func comments() {
        let text = """
            {
              // the name
              "name": "x", /* inline */ "url": "http://example.com/a//b"
              /* a block
                 comment */
            }
            """
        #expect(repaired(text) == ["name": "x", "url": "http://example.com/a//b"])
    }

    @Test func singleQuotedStrings() {
        #expect(repaired("{'a': 'it\\'s \"quoted\"'}") == ["a": "it's \"quoted\""])
        #expect(repaired("['x', \"y\"]") == ["x", "y"])
    }

    @Test func pythonLiterals() {
        #expect(repaired("{'ok': True, 'no': False, 'none': None}") == ["ok": true, "no": false, "none": .null])
        #expect(repaired("[true, TRUE, null, undefined]") == [true, true, .null, .null])
    }

    @Test func smartQuotes() {
        #expect(repaired("{“name”: “Ada”, ‘x’: ‘y’}") == ["name": "Ada", "x": "y"])
        // Inside a normal string smart quotes are content, and stay.
        #expect(repaired("{\"q\": \"“hi”\",}") == ["q": "“hi”"])
    }

    @Test func unescapedNewlinesAndControlCharactersInStrings() {
        #expect(repaired("{\"text\": \"line 1\nline 2\r\n\ttab\"}") == ["text": "line 1\nline 2\r\n\ttab"])
    }

    @Test func invalidEscapesKeepTheirBackslash() {
        #expect(repaired(#"{"path": "C:\Users\me", "ok": "\n"}"#) == ["path": #"C:\Users\me"#, "ok": "\n"])
    }

    @Test func truncatedStructuresAreClosed() {
        #expect(repaired("{\"a\": [1, 2, {\"b\": \"tex") == ["a": [1, 2, ["b": "tex"]]])
        #expect(repaired("{\"a\": 1, \"b\":") == ["a": 1, "b": .null])
        #expect(repaired("{\"a\": 1, \"b") == ["a": 1])  // a key cut off mid-word is dropped
        #expect(repaired("[1, 2,") == [1, 2])
        #expect(repaired("{\"a\": \"x\\") == ["a": "x"])
        #expect(repaired("[\"\\u00") == [""])
    }

    @Test func mismatchedCloserClosesInnerContainers() {
        #expect(repaired("[{\"a\": 1]") == [["a": 1]])
        #expect(repaired("{\"a\": [1}") == ["a": [1]])
    }

    @Test func missingCommas() {
        #expect(repaired("[1 2 \"x\"]") == [1, 2, "x"])
        #expect(repaired("{\"a\": 1\n\"b\": 2}") == ["a": 1, "b": 2])
    }

    @Test func bareKeysNeedAColon() {
        #expect(repaired("{name: \"x\", age: 3}") == ["name": "x", "age": 3])
        #expect(repaired("{placeholder}") == nil)
        #expect(repaired("{ see above") == nil)
    }

    @Test func textAfterTheValueIsIgnored() {
        #expect(repaired("{\"a\": 1}\nThat is all, {\"b\": 2}") == ["a": 1])
    }

    @Test func givesUpOnProseAndUnknownWords() {
        #expect(repaired("hello world") == nil)
        #expect(repaired("{\"a\": NaN}") == nil)
        #expect(repaired("{\"a\": 1.}") == nil)
        #expect(repaired("") == nil)
        #expect(repaired("// only a comment") == nil)
        #expect(repaired("}") == nil)
        #expect(repaired("{\"a\" 1}") == nil)
    }

    @Test func validJSONComesOutIdentical() {
        let samples = [
            #"{"a":[1,-2.5e+3,true,false,null],"b":{"c":"d\"e\\f\/g\u00e9\ud83d\ude00"},"":""}"#,
            "[]", "{}", "\"\"", "0", "-0.0", "[[[[]]]]", #"{"dup":1,"dup":2}"#, #"["\u0000","\ud800"]"#,
        ]
        for sample in samples {
            let original = try? JSONCodec.parse(sample)
            #expect(original != nil, "sample is valid: \(sample)")
            #expect(repaired(sample) == original, "repair changed \(sample)")
        }
    }

    @Test func depthLimit() {
        let deep = String(repeating: "[", count: JSONCodec.maximumDepth + 10)
        #expect(repaired(deep) == nil)
    }
}

extension JSONRepairTests {
    @Test func missingValuesInTheMiddleAreNotGuessed() {
        #expect(repaired("{\"a\": 1, \"b\": ,}") == nil)
        #expect(repaired("{\"a\": }") == nil)
        #expect(repaired("{\"a\" }") == nil)
        #expect(repaired("[{\"a\": ]") == nil)
    }
}
