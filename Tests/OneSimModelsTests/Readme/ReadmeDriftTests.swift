import Foundation
import Testing

/// Keeps the README and the DocC articles honest: every line of every Swift sample in README.md
/// and in every `.md` file of a `.docc` catalog under `Sources/` must appear in a test source
/// file, where it is compiled (and mostly run).
@Suite("README samples are compiled")
struct ReadmeDriftTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Readme/
        .deletingLastPathComponent()  // OneSimModelsTests/
        .deletingLastPathComponent()  // Tests/
        .deletingLastPathComponent()  // package root

    /// Lines that only exist because a sample is a whole program.
    static let wrapperLines: Set<String> = ["@main", "struct Main {", "static func main() async throws {", "}", "import OneSimModels"]

    /// README.md and every `.md` file inside a `.docc` directory under `Sources/`, as paths
    /// relative to the package root, sorted.
    static func documentationFiles() -> [String] {
        var paths = ["README.md"]
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "md", url.pathComponents.contains(where: { $0.hasSuffix(".docc") }) else { continue }
            paths.append(url.pathComponents.dropFirst(root.pathComponents.count).joined(separator: "/"))
        }
        return paths.sorted()
    }

    /// The trimmed, non-empty lines of the ```swift samples of `text` (other fences, such as
    /// ```swift Package.swift, ```bash or ```json, are not Swift samples), without wrapper lines.
    static func swiftSampleLines(of text: String) -> [String] {
        var lines: [String] = []
        var inSwift = false
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                inSwift = !inSwift && line == "```swift"
                continue
            }
            if inSwift {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty, !Self.wrapperLines.contains(trimmed) { lines.append(trimmed) }
            }
        }
        return lines
    }

    @Test func documentationFilesAreFound() {
        let files = Self.documentationFiles()
        #expect(files.contains("README.md"))
        #expect(files.contains("Sources/OneSimModels/OneSimModels.docc/OneSimModels.md"))
        #expect(files.contains("Sources/OneSimModels/OneSimModels.docc/LoadBalancing.md"))
        #expect(files.count >= 11)
    }

    @Test func fenceRules() {
        let text = """
            ```swift
            let a = 1
            }
            ```
            ```swift Package.swift
            let b = 2
            ```
            ```bash
            let c = 3
            ```
            """
        #expect(Self.swiftSampleLines(of: text) == ["let a = 1"])
    }

    @Test func everySwiftSampleLineIsInATestFile() throws {
        var samples: [(file: String, line: String)] = []
        for file in Self.documentationFiles() {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            samples += Self.swiftSampleLines(of: text).map { (file, $0) }
        }
        // About 90 sample lines in the README and 400 in all (November 2026): a parser that
        // finds no samples, or articles that lost theirs, fail here.
        #expect(samples.count > 300)
        #expect(samples.filter { $0.file == "README.md" }.count > 50)
        var testLines = Set<String>()
        let tests = Self.root.appendingPathComponent("Tests")
        let files = FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.components(separatedBy: "\n") { testLines.insert(line.trimmingCharacters(in: .whitespaces)) }
        }
        let missing = samples.filter { !testLines.contains($0.line) }
        #expect(missing.isEmpty, "Sample lines not found in any test file:\n\(missing.map { "\($0.file): \($0.line)" }.joined(separator: "\n"))")
    }
}
