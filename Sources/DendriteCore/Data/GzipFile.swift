import Foundation
import CZlibShim

/// Reads and writes files that may be gzip-compressed, through zlib. Dataset files come
/// both ways (MNIST mirrors serve `.gz`, converted caches are raw), so readers take
/// either and tell them apart by the gzip magic bytes 0x1f 0x8b, not by the name.
public enum GzipFile {
    /// True when the file starts with the gzip magic bytes.
    public static func isGzip(_ path: String) -> Bool {
        guard let f = fopen(path, "rb") else { return false }
        defer { fclose(f) }
        var magic: [UInt8] = [0, 0]
        return fread(&magic, 1, 2, f) == 2 && magic == [0x1f, 0x8b]
    }

    /// Calls `body` with successive chunks of the file's (decompressed) contents.
    /// Throws `DataError` naming the file when it cannot be opened or the gzip stream is
    /// corrupt or ends early.
    public static func stream(_ path: String, chunkSize: Int = 1 << 20,
                              _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError(.unreadable, file: path, "no such file")
        }
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        if isGzip(path) {
            guard let gz = gzopen(path, "rb") else { throw DataError(.unreadable, file: path, "cannot open for reading") }
            var closed = false
            defer { if !closed { gzclose_r(gz) } }
            gzbuffer(gz, 1 << 17)
            while true {
                let n = buffer.withUnsafeMutableBytes { gzread(gz, $0.baseAddress, UInt32($0.count)) }
                if n < 0 { throw gzipError(gz, path) }
                if n == 0 {
                    // gzread reports a stream cut short only through gzerror at the end.
                    var code: Int32 = 0
                    gzerror(gz, &code)
                    if code == Z_BUF_ERROR {
                        throw DataError(.truncated, file: path, "gzip stream ends early (incomplete download?)")
                    }
                    if code != Z_OK { throw gzipError(gz, path) }
                    break
                }
                try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(n)])) }
            }
            closed = true
            let rc = gzclose_r(gz)
            if rc != Z_OK { throw DataError(.corruptGzip, file: path, "corrupt gzip data (zlib error \(rc))") }
        } else {
            guard let f = fopen(path, "rb") else { throw DataError(.unreadable, file: path, "cannot open for reading") }
            defer { fclose(f) }
            while true {
                let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
                if n == 0 {
                    if ferror(f) != 0 { throw DataError(.unreadable, file: path, "read error") }
                    break
                }
                try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
        }
    }

    /// The whole (decompressed) contents.
    public static func readAll(_ path: String) throws -> [UInt8] {
        var out = [UInt8]()
        if !isGzip(path), let attrs = try? FileManager.default.attributesOfItem(atPath: path),
           let size = attrs[.size] as? Int {
            out.reserveCapacity(size)
        }
        try stream(path) { out.append(contentsOf: $0) }
        return out
    }

    /// MD5 of the (decompressed) contents, as 32 hex digits.
    public static func md5(_ path: String) throws -> String {
        var h = MD5()
        try stream(path) { h.update($0) }
        return h.hexDigest
    }

    /// Writes `bytes` (gzip-compressed when `compressed`) to a temporary name beside
    /// `path`, then renames it, so an interrupted run never leaves a half-written file
    /// that looks complete.
    public static func write(_ bytes: [UInt8], to path: String, compressed: Bool = false) throws {
        let partial = path + ".partial"
        unlink(partial)
        if compressed {
            guard let gz = gzopen(partial, "wb6") else { throw DataError(.writeFailed, file: path, "cannot open for writing") }
            var offset = 0
            while offset < bytes.count {
                let n = min(1 << 20, bytes.count - offset)
                // Invariant: offset < bytes.count here, so bytes is non-empty and has a base address.
                let written = bytes.withUnsafeBytes { gzwrite(gz, $0.baseAddress! + offset, UInt32(n)) }
                if written != n {
                    gzclose_w(gz); unlink(partial)
                    throw DataError(.writeFailed, file: path, "gzip write failed")
                }
                offset += n
            }
            guard gzclose_w(gz) == Z_OK else { unlink(partial); throw DataError(.writeFailed, file: path, "gzip close failed") }
        } else {
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: partial))
            } catch {
                unlink(partial)   // a full disk leaves a short file: never keep it
                throw DataError(.writeFailed, file: path, "cannot write: \(error.localizedDescription)")
            }
        }
        guard rename(partial, path) == 0 else {
            unlink(partial)
            throw DataError(.writeFailed, file: path, "cannot rename the finished file into place")
        }
    }

    private static func gzipError(_ gz: gzFile, _ path: String) -> DataError {
        var code: Int32 = 0
        let message = gzerror(gz, &code).map { String(cString: $0) } ?? "unknown zlib error"
        if code == Z_ERRNO { return DataError(.unreadable, file: path, "read error: \(String(cString: strerror(errno)))") }
        return DataError(.corruptGzip, file: path, "corrupt gzip data (\(message))")
    }
}
