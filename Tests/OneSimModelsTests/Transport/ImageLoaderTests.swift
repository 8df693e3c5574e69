import Foundation
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Image loading")
struct ImageLoaderTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]

    @Test func detectsMimeTypeFromBytes() {
        #expect(ImageLoader.mimeType(of: Self.png) == "image/png")
        #expect(ImageLoader.mimeType(of: [0xFF, 0xD8, 0xFF, 0xE0]) == "image/jpeg")
        #expect(ImageLoader.mimeType(of: Array("GIF89a".utf8)) == "image/gif")
        #expect(ImageLoader.mimeType(of: Array("RIFF\0\0\0\0WEBPVP8 ".utf8)) == "image/webp")
        #expect(ImageLoader.mimeType(of: Array("hello".utf8)) == nil)
    }

    @Test func readsAFileAsADataURLByContentNotExtension() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("really-a-png.jpg").path
        try Data(Self.png).write(to: URL(fileURLWithPath: path))
        let url = try await ImageLoader.dataURL(forFile: path)
        #expect(url == "data:image/png;base64," + Data(Self.png).base64EncodedString())
    }

    @Test func missingFileIsAnErrorNamingThePath() async {
        let error = await captureModelError { _ = try await ImageLoader.dataURL(forFile: "/nonexistent/cat.png") }
        #expect(error?.kind == .badRequest)
        #expect(error?.message.contains("/nonexistent/cat.png") == true)
        #expect(error?.message.contains("no such file") == true)
    }

    @Test func nonImageIsAnError() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("notes.txt").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: path))
        let error = await captureModelError { _ = try await ImageLoader.dataURL(forFile: path) }
        #expect(error?.message.contains("notes.txt") == true)
    }
}
