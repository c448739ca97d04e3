import DendriteCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One parser under test: seed inputs that are valid files, and a function that feeds
/// it bytes. A run passes when every input either parses or throws an error whose
/// message is one line naming the file; anything else (a trap, a multi-line or
/// anonymous error) is a finding.
struct FuzzTarget {
    let name: String
    let seeds: [[UInt8]]
    /// Parses `bytes` as if read from `file`.
    let parse: (_ bytes: [UInt8], _ file: String) throws -> Void
}

/// Scratch file for parsers that only read from disk (gzip goes through zlib's file API).
let scratchPath = NSTemporaryDirectory() + "dendrite-fuzz-\(getpid()).bin"

func writeScratch(_ bytes: [UInt8]) {
    // Plain POSIX calls: Foundation's file writing syncs, which costs milliseconds here.
    let fd = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot write \(scratchPath)")
    bytes.withUnsafeBufferPointer { _ = write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

func gzip(_ bytes: [UInt8]) -> [UInt8] {
    let p = NSTemporaryDirectory() + "dendrite-fuzz-seed-\(getpid()).gz"
    try! GzipFile.write(bytes, to: p, compressed: true)
    defer { try? FileManager.default.removeItem(atPath: p) }
    return try! GzipFile.readRaw(p)
}

extension GzipFile {
    /// The file's bytes exactly as stored (no decompression).
    static func readRaw(_ path: String) throws -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw DataError(.unreadable, file: path, "cannot read")
        }
        return [UInt8](d)
    }
}

enum Targets {
    static func idxSeeds() -> [[UInt8]] {
        let images = IDXArray(dims: [3, 4, 5], bytes: (0..<60).map { UInt8($0 * 4) })
        let labels = IDXArray(dims: [3], bytes: [5, 0, 4])
        return [IDXWriter.encode(images), IDXWriter.encode(labels)]
    }

    static func cifarSeed() -> [UInt8] {
        let n = 2
        let pixels = (0..<(n * CIFARReader.imageBytes)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        return CIFARReader.encode(pixels: pixels, labels: [3, 8])
    }

    nonisolated(unsafe) static let all: [FuzzTarget] = {
        [
            FuzzTarget(name: "idx", seeds: idxSeeds()) { bytes, file in
                _ = try IDXReader.parse(bytes, file: file)
            },
            FuzzTarget(name: "idx-gz", seeds: idxSeeds().map(gzip)) { bytes, _ in
                writeScratch(bytes)
                _ = try IDXReader.read(scratchPath)
            },
            FuzzTarget(name: "cifar", seeds: [cifarSeed()]) { bytes, file in
                _ = try CIFARReader.parse(bytes, file: file)
            },
            RunFileTargets.checkpoint(),
            RunFileTargets.experiment(),
            RunFileTargets.lesson(),
            SemanticTargets.experiment(),
            SemanticTargets.lesson(),
            SemanticTargets.checkpointMetadata(),
        ]
    }()
}
