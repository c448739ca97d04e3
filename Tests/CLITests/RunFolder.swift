import Foundation
import DendriteCore

/// Reads a run folder for comparisons between runs.
enum RunFolder {
    static func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// metrics.csv rows without the wall-clock `seconds` column.
    static func metrics(_ folder: URL) throws -> [String] {
        try lines(folder.appendingPathComponent("metrics.csv")).map { $0.split(separator: ",").dropLast().joined(separator: ",") }
    }

    /// The checkpoint's tensors by name, as bit patterns (so NaN compares equal to itself).
    static func tensors(_ file: URL) throws -> [String: [UInt32]] {
        let c = try Checkpoint.read(from: file)
        var out: [String: [UInt32]] = [:]
        for (name, t) in c.tensors { out[name] = t.storage.map(\.bitPattern) }
        return out
    }

    /// Files a crash could have left half-written: atomic-write temporaries (".NAME.tmp-PID").
    static func temporaries(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.contains(".tmp") }
    }

    static func write(_ text: String, to url: URL) throws {
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}
