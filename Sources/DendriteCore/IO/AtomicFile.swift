import Foundation
#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
private let systemClose = Glibc.close
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
private let systemClose = Darwin.close
#endif

/// A file operation that failed, named by path and the system's reason.
public struct FileError: Error, CustomStringConvertible, LocalizedError, Sendable {
    public var path: String
    public var problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { "\(path): \(problem)" }
    public var errorDescription: String? { description }

    static func system(_ path: String, _ what: String) -> FileError {
        FileError(path: path, problem: "\(what) failed: \(String(cString: strerror(errno)))")
    }
}

/// Whole-file writes that never leave a half-written file behind: the bytes go to a
/// temporary file in the same directory, are flushed to disk (fsync), and the temporary
/// file is renamed over the target (atomic on POSIX file systems). A crash or Ctrl-C
/// leaves either the old file or the new one.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let path = url.path
        let dir = url.deletingLastPathComponent().path
        let tmp = (dir.isEmpty ? "." : dir) + "/.\(url.lastPathComponent).tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FileError.system(tmp, "creating a temporary file") }
        do {
            try writeAll(fd, data, path: tmp)
            guard fsync(fd) == 0 else { throw FileError.system(tmp, "fsync") }
            guard close(fd) == 0 else { throw FileError.system(tmp, "close") }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else {
            let e = FileError.system(path, "renaming the temporary file")
            unlink(tmp)
            throw e
        }
        // Make the rename itself durable.
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    static func writeAll(_ fd: Int32, _ data: Data, path: String) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                // Invariant: the loop runs only while offset < raw.count, so raw is non-empty.
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileError.system(path, "write")
                }
                offset += n
            }
        }
    }
}

/// A file that grows line by line (metrics.csv, events.jsonl): each append is written
/// and fsynced before it returns, so an interrupted run keeps every finished line.
public final class AppendingFile {
    public let url: URL
    private var fd: Int32

    /// Opens `url` for appending, creating it if needed.
    public init(url: URL) throws {
        self.url = url
        fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw FileError.system(url.path, "opening for append") }
    }

    deinit { if fd >= 0 { _ = systemClose(fd) } }

    public func append(_ text: String) throws {
        try AtomicFile.writeAll(fd, Data(text.utf8), path: url.path)
        guard fsync(fd) == 0 else { throw FileError.system(url.path, "fsync") }
    }

    public func close() {
        if fd >= 0 { _ = systemClose(fd) }
        fd = -1
    }
}
