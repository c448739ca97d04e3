import Foundation
import CZlibShim

/// A problem with a checkpoint file, naming the file and what was wrong with it.
public struct CheckpointError: Error, CustomStringConvertible, LocalizedError, Sendable {
    public var file: String
    public var problem: String
    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }
    public var description: String { "\(file): \(problem)" }
    public var errorDescription: String? { description }
}

/// Named Float32 tensors plus string metadata, stored in the safetensors layout so
/// Python's `safetensors` package (and anything built on it) can open our checkpoints:
///
///     8 bytes         header length N, unsigned little-endian
///     N bytes         JSON header, space-padded to a multiple of 8:
///                     {"NAME": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
///                      "__metadata__": {"KEY": "string", ...}}
///     rest            raw little-endian tensor data; offsets are relative to its start,
///                     contiguous, in the order the tensors were added
///
/// What the metadata strings hold (JSON documents: architecture, trainer state, ...) is
/// decided by `TrainingSnapshot`; this type only reads and writes the container.
public struct Checkpoint: Equatable {
    /// Tensors in file order.
    public var tensors: [(name: String, tensor: Tensor)]
    public var metadata: [String: String]

    public init(tensors: [(name: String, tensor: Tensor)] = [], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    public subscript(name: String) -> Tensor? {
        tensors.first { $0.name == name }?.tensor
    }

    public static func == (a: Checkpoint, b: Checkpoint) -> Bool {
        a.metadata == b.metadata && a.tensors.count == b.tensors.count
            && zip(a.tensors, b.tensors).allSatisfy { $0.name == $1.name && $0.tensor.shape == $1.tensor.shape
                && $0.tensor.storage.map(\.bitPattern) == $1.tensor.storage.map(\.bitPattern) }
    }

    /// Larger headers are refused when reading (the safetensors reference limit).
    static let maxHeaderBytes = 100_000_000

    // MARK: Writing

    /// The file's bytes.
    public func encoded() throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        var seen = Set<String>()
        for (name, t) in tensors {
            guard name != "__metadata__" && seen.insert(name).inserted else {
                throw CheckpointError(file: "<checkpoint>", problem: "duplicate or reserved tensor name '\(name)'")
            }
            let bytes = t.count * 4
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var meta = metadata
        meta[Checkpoint.checksumKey] = try Checkpoint.checksumDocument(tensors)
        header["__metadata__"] = meta
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, t) in tensors {
            t.withUnsafeBufferPointer { p in
                guard let base = p.baseAddress, p.count > 0 else { return }
                #if _endian(little)
                out.append(UnsafeBufferPointer(start: UnsafeRawPointer(base).assumingMemoryBound(to: UInt8.self),
                                               count: p.count * 4))
                #else
                for v in p { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
                #endif
            }
        }
        return out
    }

    /// Writes atomically (temporary file, fsync, rename): a crash never leaves a torn checkpoint.
    public func write(to url: URL) throws {
        try AtomicFile.write(try encoded(), to: url)
    }

    // MARK: Reading

    public static func read(from url: URL) throws -> Checkpoint {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CheckpointError(file: url.path, problem: "cannot read the file (\(error.localizedDescription))")
        }
        return try decode(data, file: url.path)
    }

    /// One tensor's description in the header: its name, shape and byte range in the data.
    struct TensorEntry { var name: String; var shape: [Int]; var begin: Int; var end: Int }

    /// Reads and checks one header entry: F32, a shape of non-negative sizes whose
    /// product cannot overflow or exceed the file, and data offsets that span exactly it.
    static func entry(_ name: String, _ value: Any, fileBytes: Int,
                      _ fail: (String) -> CheckpointError) throws -> TensorEntry {
        guard let info = value as? [String: Any] else { throw fail("tensor '\(name)' has no description object") }
        guard let dtype = info["dtype"] as? String else { throw fail("tensor '\(name)' has no dtype") }
        guard dtype == "F32" else { throw fail("tensor '\(name)' has dtype \(dtype); only F32 is supported") }
        guard let shapeAny = info["shape"] as? [Any], let shape = intList(shapeAny), shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("tensor '\(name)' has no valid shape (a list of non-negative integers)")
        }
        guard let offAny = info["data_offsets"] as? [Any], let off = intList(offAny), off.count == 2, off[0] >= 0, off[1] >= off[0] else {
            throw fail("tensor '\(name)' has no valid data_offsets [begin, end]")
        }
        // Checked products: a damaged shape like [2^40, 2^40] must not overflow.
        var count = 1
        for d in shape {
            let (c, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, c <= fileBytes else { throw fail("tensor '\(name)' has shape \(shape), larger than the file") }
            count = c
        }
        guard off[1] - off[0] == count * 4 else {
            throw fail("tensor '\(name)' of shape \(shape) needs \(count * 4) bytes but data_offsets span \(off[1] - off[0])")
        }
        return TensorEntry(name: name, shape: shape, begin: off[0], end: off[1])
    }

    /// Parses and validates the bytes of a checkpoint; `file` names it in errors.
    public static func decode(_ data: Data, file: String) throws -> Checkpoint {
        func fail(_ problem: String) -> CheckpointError { CheckpointError(file: file, problem: problem) }
        guard data.count >= 8 else {
            throw fail("file is \(data.count) bytes, too short for a safetensors header (truncated?)")
        }
        let bytes = [UInt8](data)
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(maxHeaderBytes), Int(n) <= bytes.count - 8 else {
            throw fail("header length \(n) exceeds the \(bytes.count - 8) bytes that follow (truncated or not a safetensors file)")
        }
        let headerEnd = 8 + Int(n)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))
        } catch {
            throw fail("header is not valid JSON (corrupt file?)")
        }
        guard let header = object as? [String: Any] else { throw fail("header is not a JSON object") }

        var metadata: [String: String] = [:]
        if let meta = header["__metadata__"] {
            guard let m = meta as? [String: Any] else { throw fail("__metadata__ is not an object of strings") }
            for (k, v) in m {
                guard let s = v as? String else { throw fail("__metadata__ entry '\(k)' is not a string") }
                metadata[k] = s
            }
        }

        var entries: [TensorEntry] = []
        for (name, value) in header where name != "__metadata__" {
            entries.append(try entry(name, value, fileBytes: bytes.count, fail))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        let dataSize = bytes.count - headerEnd
        var expected = 0
        for e in entries {
            guard e.begin == expected else {
                throw fail("tensor '\(e.name)' starts at byte \(e.begin) of the data, expected \(expected) (overlapping or gapped offsets)")
            }
            expected = e.end
        }
        guard expected == dataSize else {
            throw fail(expected > dataSize
                ? "tensor data needs \(expected) bytes but only \(dataSize) follow the header (truncated file)"
                : "\(dataSize - expected) stray bytes after the last tensor")
        }

        var tensors: [(name: String, tensor: Tensor)] = []
        for e in entries {
            var t = Tensor(shape: e.shape)
            let start = headerEnd + e.begin
            t.withUnsafeMutableBufferPointer { p in
                for i in 0..<p.count {
                    let o = start + 4 * i
                    let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                    p[i] = Float(bitPattern: bits)
                }
            }
            tensors.append((e.name, t))
        }
        if let sums = metadata.removeValue(forKey: checksumKey) {
            try verifyChecksums(sums, tensors, fail)
        }
        return Checkpoint(tensors: tensors, metadata: metadata)
    }

    // MARK: Checksums

    /// Metadata key of the per-tensor CRC32s: a JSON object of tensor name to the
    /// CRC32 (zlib's) of its little-endian bytes, as 8 hex digits. Written with every
    /// checkpoint, verified and removed when reading; files without it (older ones,
    /// or written by other tools) load unverified.
    static let checksumKey = "crc32"

    static func crc32(of t: Tensor) -> UInt32 {
        var crc = CZlibShim.crc32(0, nil, 0)
        t.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return }
            #if _endian(little)
            let bytes = UnsafeRawPointer(base).assumingMemoryBound(to: UInt8.self)
            var offset = 0, total = p.count * 4
            while offset < total {
                let n = min(total - offset, 1 << 30)
                crc = CZlibShim.crc32(crc, bytes + offset, uInt(n))
                offset += n
            }
            #else
            // Invariant: withUnsafeBytes of a UInt32 value is 4 bytes, never empty.
            for v in p { withUnsafeBytes(of: v.bitPattern.littleEndian) { crc = CZlibShim.crc32(crc, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), 4) } }
            #endif
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    static func checksumDocument(_ tensors: [(name: String, tensor: Tensor)]) throws -> String {
        var sums: [String: String] = [:]
        for (name, t) in tensors { sums[name] = String(format: "%08x", crc32(of: t)) }
        let data = try JSONSerialization.data(withJSONObject: sums, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func verifyChecksums(_ text: String, _ tensors: [(name: String, tensor: Tensor)],
                                        _ fail: (String) -> CheckpointError) throws {
        guard let sums = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String] else {
            throw fail("metadata '\(checksumKey)' is not an object of tensor names to CRC32s (corrupt file?)")
        }
        for (name, t) in tensors {
            guard let stored = sums[name].flatMap({ UInt32($0, radix: 16) }) else {
                throw fail("tensor '\(name)' has no CRC32 in the checksum table (corrupt file?)")
            }
            let actual = crc32(of: t)
            guard actual == stored else {
                throw fail("tensor '\(name)' is corrupt: its data has CRC32 \(String(format: "%08x", actual)), the file recorded \(String(format: "%08x", stored))")
            }
        }
        guard sums.count == tensors.count else {
            throw fail("the checksum table lists \(sums.count) tensors but the file holds \(tensors.count) (corrupt file?)")
        }
    }

    private static func intList(_ a: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in a {
            guard let n = v as? Int else { return nil }
            out.append(n)
        }
        return out
    }
}
