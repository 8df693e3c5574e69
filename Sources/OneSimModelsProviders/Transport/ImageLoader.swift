import Foundation
import NIOCore
import NIOFileSystem
import OneSimModelsCore

/// An image as its MIME type and base64 payload.
package struct InlineImage: Sendable, Hashable {
    /// `image/png`, `image/jpeg`, ...
    package var mimeType: String
    /// The bytes, base64-encoded (standard alphabet, with padding).
    package var base64: String

    /// An image of `mimeType` whose `base64` is already encoded (not checked here).
    package init(mimeType: String, base64: String) {
        self.mimeType = mimeType
        self.base64 = base64
    }

    /// `data:<mime>;base64,<data>`.
    package var dataURL: String { "data:\(mimeType);base64,\(base64)" }
}

/// Turns image parts into `data:` URLs: reads files asynchronously and detects the MIME type
/// from the bytes (falling back to the file extension).
package enum ImageLoader {
    /// The largest image file read (20 MiB, OpenAI's limit).
    package static let maximumBytes = 20 << 20

    /// A `data:<mime>;base64,...` URL for the image file at `path`. Throws a `.badRequest`
    /// error naming the path when it is missing, unreadable, too large or not an image.
    package static func dataURL(forFile path: String) async throws(ModelError) -> String {
        try await inlineImage(forFile: path).dataURL
    }

    /// The image file at `path` as base64 with its MIME type, for providers that take the two
    /// separately (Anthropic, Gemini, Ollama). Same errors as `dataURL(forFile:)`.
    package static func inlineImage(forFile path: String) async throws(ModelError) -> InlineImage {
        let buffer: ByteBuffer
        do {
            buffer = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                try await handle.readToEnd(maximumSizeAllowed: .bytes(Int64(maximumBytes)))
            }
        } catch let error as FileSystemError {
            let reason: String
            switch error.code {
            case .notFound: reason = "no such file"
            case .permissionDenied: reason = "permission denied"
            case .resourceExhausted: reason = "larger than \(maximumBytes >> 20) MiB"
            default: reason = error.message
            }
            throw ModelError(.badRequest, "cannot read image file '\(path)': \(reason)")
        } catch {
            throw ModelError(.badRequest, "cannot read image file '\(path)': \(error)")
        }
        let bytes = Array(buffer.readableBytesView)
        guard let mime = mimeType(of: bytes) ?? mimeType(forExtension: (path as NSString).pathExtension) else {
            throw ModelError(.badRequest, "image file '\(path)' is not a PNG, JPEG, GIF or WebP image")
        }
        return InlineImage(mimeType: mime, base64: Data(bytes).base64EncodedString())
    }

    /// Image bytes as base64 with their MIME type; the type is detected when not given.
    package static func inlineImage(bytes: [UInt8], mimeType given: String?) throws(ModelError) -> InlineImage {
        guard let mime = given ?? mimeType(of: bytes) else {
            throw ModelError(.badRequest, "image data is not a PNG, JPEG, GIF or WebP image")
        }
        return InlineImage(mimeType: mime, base64: Data(bytes).base64EncodedString())
    }

    /// The MIME type and base64 payload of a `data:<mime>;base64,<data>` URL, or `nil` when
    /// `url` is not a base64 data URL.
    package static func inlineImage(dataURL url: String) -> InlineImage? {
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") else { return nil }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        guard header.hasSuffix(";base64") else { return nil }
        let mime = header.dropLast(";base64".count)
        guard !mime.isEmpty else { return nil }
        return InlineImage(mimeType: String(mime), base64: String(url[url.index(after: comma)...]))
    }

    /// A `data:` URL for image bytes; the MIME type is detected when not given.
    package static func dataURL(bytes: [UInt8], mimeType given: String?) throws(ModelError) -> String {
        guard let mime = given ?? mimeType(of: bytes) else {
            throw ModelError(.badRequest, "image data is not a PNG, JPEG, GIF or WebP image")
        }
        return dataURL(bytes: bytes, mimeType: mime)
    }

    private static func dataURL(bytes: [UInt8], mimeType: String) -> String {
        "data:\(mimeType);base64,\(Data(bytes).base64EncodedString())"
    }

    /// The MIME type from the file's magic bytes, if it is a known image format.
    package static func mimeType(of bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return "image/webp"
        }
        return nil
    }

    /// The MIME type for a file extension (jpg/jpeg, png, gif, webp).
    package static func mimeType(forExtension ext: String) -> String? {
        switch ext.lowercased() {
        case "jpg", "jpeg": return "image/jpeg"
        case "png": return "image/png"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        default: return nil
        }
    }
}
