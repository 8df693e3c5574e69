import Foundation
import Testing

/// Keeps the README honest: every line of every Swift sample in README.md must appear in a test
/// source file, where it is compiled (and mostly run).
@Suite("README samples are compiled")
struct ReadmeDriftTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Readme/
        .deletingLastPathComponent()  // OneSimModelsTests/
        .deletingLastPathComponent()  // Tests/
        .deletingLastPathComponent()  // package root

    /// Lines that only exist because a sample is a whole program.
    static let wrapperLines: Set<String> = ["@main", "struct Main {", "static func main() async throws {", "}", "import OneSimModels"]

    @Test func everySwiftSampleLineIsInATestFile() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        var sampleLines: [String] = []
        var inSwift = false
        for line in readme.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                inSwift = !inSwift && line == "```swift"
                continue
            }
            if inSwift {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty, !Self.wrapperLines.contains(trimmed) { sampleLines.append(trimmed) }
            }
        }
        #expect(sampleLines.count > 50)
        var testLines = Set<String>()
        let tests = Self.root.appendingPathComponent("Tests")
        let files = FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.components(separatedBy: "\n") { testLines.insert(line.trimmingCharacters(in: .whitespaces)) }
        }
        let missing = sampleLines.filter { !testLines.contains($0) }
        #expect(missing.isEmpty, "README lines not found in any test file:\n\(missing.joined(separator: "\n"))")
    }
}
