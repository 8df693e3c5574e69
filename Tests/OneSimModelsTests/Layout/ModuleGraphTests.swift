import Foundation
import Testing

/// The module graph of DESIGN.md, checked from the sources: which of our modules each target's
/// files import. SwiftPM already refuses an import of a module a target does not depend on; this
/// test pins the dependencies themselves, so adding an edge to `Package.swift` fails here until
/// DESIGN.md's table (and this one) say so. It also keeps the README's public declaration count
/// true.
@Suite("Module graph and public surface")
struct ModuleGraphTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Layout/
        .deletingLastPathComponent()  // OneSimModelsTests/
        .deletingLastPathComponent()  // Tests/
        .deletingLastPathComponent()  // package root

    /// Each target and the modules of this package it may import.
    static let allowed: [String: Set<String>] = [
        "OneSimModelsCore": [],
        "OneSimModelsProviders": ["OneSimModelsCore"],
        "OneSimModelsRouting": ["OneSimModelsCore"],
        "OneSimModelsUsage": ["OneSimModelsCore"],
        "OneSimModelsParsers": ["OneSimModelsCore"],
        "OneSimModels": [
            "OneSimModelsCore", "OneSimModelsProviders", "OneSimModelsRouting", "OneSimModelsUsage", "OneSimModelsParsers",
        ],
        "OneSimModelsDashboard": [],
        "OneSimModelsSimulator": ["OneSimModelsDashboard"],
        "OneSimModelsGateway": ["OneSimModels", "OneSimModelsDashboard"],
        "onesim-models": ["OneSimModels", "OneSimModelsSimulator", "OneSimModelsGateway"],
    ]

    static let libraryModules = [
        "OneSimModelsCore", "OneSimModelsProviders", "OneSimModelsRouting", "OneSimModelsUsage", "OneSimModelsParsers",
        "OneSimModels", "OneSimModelsGateway",
    ]

    static func swiftFiles(in target: String) -> [URL] {
        let directory = root.appendingPathComponent("Sources").appendingPathComponent(target)
        var files: [URL] = []
        let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            if url.pathExtension == "swift" { files.append(url) }
        }
        return files
    }

    /// Our modules that `text` imports (plain, `@testable`, `@_exported` or `@preconcurrency`).
    static func imports(in text: String) -> Set<String> {
        var found = Set<String>()
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard let i = words.firstIndex(of: "import"), i + 1 < words.count,
                words[..<i].allSatisfy({ $0.hasPrefix("@") })
            else { continue }
            let module = String(words[i + 1])
            if module.hasPrefix("OneSimModels") { found.insert(module) }
        }
        return found
    }

    @Test(arguments: allowed.keys.sorted())
    func importsFollowTheLayers(_ target: String) throws {
        let files = Self.swiftFiles(in: target)
        #expect(!files.isEmpty, "no sources for \(target)")
        for file in files {
            let used = Self.imports(in: try String(contentsOf: file, encoding: .utf8)).subtracting([target])
            let extra = used.subtracting(Self.allowed[target] ?? [])
            #expect(extra.isEmpty, "\(file.lastPathComponent) in \(target) imports \(extra.sorted())")
        }
    }

    @Test func everySourceDirectoryIsAKnownTarget() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources").path)
        #expect(Set(names) == Set(Self.allowed.keys), "\(names.sorted())")
    }

    @Test func theImportScannerSeesEveryForm() {
        let text = "import OneSimModelsCore\n@testable import OneSimModelsRouting\n@_exported import OneSimModelsUsage\n// import OneSimModelsParsers\nimport Foundation"
        #expect(Self.imports(in: text) == ["OneSimModelsCore", "OneSimModelsRouting", "OneSimModelsUsage"])
    }

    /// Lines declaring something `public` in the library modules: the count the README states,
    /// computed as its Layout section's command does.
    static func publicDeclarationCount() throws -> Int {
        var count = 0
        for target in libraryModules {
            for file in swiftFiles(in: target) {
                for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
                    var rest = line.drop { $0 == " " }
                    // Leading attributes such as `@inlinable` or `@available(...)`.
                    while rest.hasPrefix("@") {
                        guard let space = rest.firstIndex(of: " ") else { break }
                        if let paren = rest.firstIndex(of: "("), paren < space, let close = rest.firstIndex(of: ")") {
                            rest = rest[rest.index(after: close)...].drop { $0 == " " }
                        } else {
                            rest = rest[rest.index(after: space)...].drop { $0 == " " }
                        }
                    }
                    if rest.hasPrefix("public ") { count += 1 }
                }
            }
        }
        return count
    }

    @Test func theReadmeStatesThePublicDeclarationCount() throws {
        let count = try Self.publicDeclarationCount()
        #expect(count > 100)
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("Public declarations: \(count) "), "the README's Layout section should say 'Public declarations: \(count) '")
    }
}
