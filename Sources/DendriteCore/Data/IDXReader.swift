/// An n-dimensional array of unsigned bytes as stored in an IDX file.
public struct IDXArray: Equatable, Sendable {
    /// Sizes, outermost first, e.g. [60000, 28, 28].
    public var dims: [Int]
    /// Row-major payload, `dims.reduce(1, *)` bytes.
    public var bytes: [UInt8]

    public init(dims: [Int], bytes: [UInt8]) {
        // Invariant: IDXReader checks the header's sizes against the bytes before building one.
        precondition(dims.reduce(1, *) == bytes.count, "IDX dims \(dims) need \(dims.reduce(1, *)) bytes, got \(bytes.count)")
        self.dims = dims
        self.bytes = bytes
    }
}

/// Reads the IDX format of MNIST and Fashion-MNIST (LeCun et al.): bytes 0x00 0x00, a
/// type code (0x08 = unsigned byte, the only one these datasets use), the number of
/// dimensions, each dimension as a big-endian UInt32, then the payload. Files may be raw
/// or gzip-compressed. The file size must match the header exactly, so a truncated
/// download is caught here rather than as garbage pixels later.
public enum IDXReader {
    public static func read(_ path: String) throws -> IDXArray {
        try parse(GzipFile.readAll(path), file: path)
    }

    /// Parses the contents of an IDX file; `file` is only used in error messages.
    public static func parse(_ raw: [UInt8], file: String) throws -> IDXArray {
        guard raw.count >= 4 else {
            throw DataError(.truncated, file: file, "only \(raw.count) bytes; an IDX header needs at least 4")
        }
        guard raw[0] == 0, raw[1] == 0 else {
            throw DataError(.wrongMagic, file: file, "starts with \(hex(raw[0..<4])); expected an IDX header 00 00 08 NDIMS")
        }
        guard raw[2] == 0x08 else {
            throw DataError(.wrongMagic, file: file, "IDX data type 0x\(hex(raw[2...2])) is not supported; expected unsigned bytes (0x08)")
        }
        let ndims = Int(raw[3])
        guard ndims >= 1 else { throw DataError(.wrongSize, file: file, "IDX header declares 0 dimensions") }
        let header = 4 + 4 * ndims
        guard raw.count >= header else {
            throw DataError(.truncated, file: file, "\(raw.count) bytes, shorter than the \(header)-byte header for \(ndims) dimensions")
        }
        var dims = [Int]()
        var payload = 1
        for k in 0..<ndims {
            let o = 4 + 4 * k
            let d = Int(raw[o]) << 24 | Int(raw[o + 1]) << 16 | Int(raw[o + 2]) << 8 | Int(raw[o + 3])
            dims.append(d)
            let (p, overflow) = payload.multipliedReportingOverflow(by: d)
            guard !overflow, p <= 1 << 40 else {
                throw DataError(.wrongSize, file: file, "IDX dimensions \(dims) are impossibly large")
            }
            payload = p
        }
        let expected = header + payload
        let shape = dims.map(String.init).joined(separator: "x")
        if raw.count < expected {
            throw DataError(.truncated, file: file,
                            "truncated: \(raw.count) bytes, expected \(expected) (header + \(shape) bytes)")
        }
        if raw.count > expected {
            throw DataError(.wrongSize, file: file,
                            "wrong size: \(raw.count) bytes, expected \(expected) for \(shape); \(raw.count - expected) bytes too many")
        }
        return IDXArray(dims: dims, bytes: Array(raw[header...]))
    }

    /// An image set and its labels (MNIST layout: images [n, rows, cols], labels [n])
    /// as a byte dataset of shape [1, rows, cols]. Pixels stay UInt8 and become floats
    /// per batch through `normalization`.
    public static func loadImagesAndLabels(images: String, labels: String, name: String = "idx",
                                           classCount: Int = 10,
                                           normalization: Normalization = .unitRange) throws -> Dataset {
        let img = try read(images)
        guard img.dims.count == 3 else {
            throw DataError(.wrongSize, file: images,
                            "has \(img.dims.count) dimensions \(img.dims); expected 3 (count x rows x cols)")
        }
        let lab = try read(labels)
        guard lab.dims.count == 1 else {
            throw DataError(.wrongSize, file: labels, "has \(lab.dims.count) dimensions \(lab.dims); expected 1 (count)")
        }
        guard lab.dims[0] == img.dims[0] else {
            throw DataError(.countMismatch, file: labels,
                            "\(lab.dims[0]) labels, but \(images) holds \(img.dims[0]) images; they must match")
        }
        let classes = try checkedLabels(lab.bytes, classCount: classCount, file: labels)
        return Dataset(name: name, sampleShape: [1, img.dims[1], img.dims[2]],
                       features: .bytes(img.bytes, scale: normalization.scale, shift: normalization.shift),
                       labels: classes, classCount: classCount)
    }

    /// Labels as Int32, each checked to lie in 0..<classCount.
    static func checkedLabels(_ bytes: [UInt8], classCount: Int, file: String) throws -> [Int32] {
        if let i = bytes.firstIndex(where: { Int($0) >= classCount }) {
            throw DataError(.badLabel, file: file, "label \(bytes[i]) at sample \(i); expected 0-\(classCount - 1)")
        }
        return bytes.map { Int32($0) }
    }

    static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
    }
}

/// Writes IDX files of unsigned bytes: used to turn MNIST's CSV copy into the standard
/// files, and by tests to make small files in exactly the published format.
public enum IDXWriter {
    /// Header plus payload, as the bytes of an IDX file.
    public static func encode(_ array: IDXArray) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(array.dims.count)]
        out.reserveCapacity(4 + 4 * array.dims.count + array.bytes.count)
        for d in array.dims {
            out += [UInt8(truncatingIfNeeded: d >> 24), UInt8(truncatingIfNeeded: d >> 16),
                    UInt8(truncatingIfNeeded: d >> 8), UInt8(truncatingIfNeeded: d)]
        }
        out += array.bytes
        return out
    }

    /// Writes atomically; gzip-compressed when `compressed`.
    public static func write(_ array: IDXArray, to path: String, compressed: Bool = false) throws {
        try GzipFile.write(encode(array), to: path, compressed: compressed)
    }
}
