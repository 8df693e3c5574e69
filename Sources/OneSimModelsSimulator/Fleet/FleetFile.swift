import Foundation

/// Reads a fleet or workload file from outside: at most `maximumBytes` (a larger file is an
/// error, never read whole), errors naming `what` and the path.
enum FleetFile {
    static func read(path: String, maximumBytes: Int, what: String, limit: String) throws(FleetConfigError) -> Data {
        let url = URL(fileURLWithPath: path)
        if let size = try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize, size > maximumBytes {
            throw FleetConfigError("\(what) '\(path)' is larger than \(limit)")
        }
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
        } catch {
            throw FleetConfigError("cannot read \(what) '\(path)': \(error.localizedDescription)")
        }
        guard data.count <= maximumBytes else { throw FleetConfigError("\(what) '\(path)' is larger than \(limit)") }
        return data
    }
}
