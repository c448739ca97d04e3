/// Reads the CIFAR-10 binary version (Krizhevsky 2009, `cifar-10-binary.tar.gz`): each
/// batch file is a run of 3073-byte records, one label byte (0-9) then 3072 pixel
/// bytes: the red, green and blue planes of a 32x32 image, each row-major. That is
/// already channel-first, so records map straight onto samples of shape [3, 32, 32].
public enum CIFARReader {
    public static let imageBytes = 3 * 32 * 32
    public static let recordBytes = 1 + imageBytes
    public static let classCount = 10
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"]

    /// One batch file (raw or gzip) as pixels (count x 3072) and labels.
    public static func readBatch(_ path: String) throws -> (pixels: [UInt8], labels: [Int32]) {
        try parse(GzipFile.readAll(path), file: path)
    }

    /// Parses the contents of a batch file; `file` is only used in error messages.
    public static func parse(_ raw: [UInt8], file path: String) throws -> (pixels: [UInt8], labels: [Int32]) {
        guard !raw.isEmpty else { throw DataError(.truncated, file: path, "empty file; expected 3073-byte CIFAR-10 records") }
        guard raw.count % recordBytes == 0 else {
            throw DataError(.wrongSize, file: path,
                            "\(raw.count) bytes is not a multiple of the 3073-byte CIFAR-10 record "
                            + "(\(raw.count / recordBytes) whole records and \(raw.count % recordBytes) bytes left over)")
        }
        let n = raw.count / recordBytes
        var pixels = [UInt8](repeating: 0, count: n * imageBytes)
        var labels = [Int32](repeating: 0, count: n)
        try raw.withUnsafeBufferPointer { src in
            try pixels.withUnsafeMutableBufferPointer { dst in
                for r in 0..<n {
                    // Invariant: the body runs only for n >= 1 whole records (size checked above),
                    // so src and dst (n images) are non-empty.
                    let rec = src.baseAddress! + r * recordBytes
                    guard Int(rec[0]) < classCount else {
                        throw DataError(.badLabel, file: path, "record \(r) has label \(rec[0]); expected 0-9")
                    }
                    labels[r] = Int32(rec[0])
                    // Invariant: as above.
                    (dst.baseAddress! + r * imageBytes).update(from: rec + 1, count: imageBytes)
                }
            }
        }
        return (pixels, labels)
    }

    /// Several batch files concatenated in order, as a byte dataset of shape [3, 32, 32].
    public static func load(_ paths: [String], name: String = "cifar10",
                            normalization: Normalization = .unitRange) throws -> Dataset {
        var pixels = [UInt8](), labels = [Int32]()
        for p in paths {
            let batch = try readBatch(p)
            pixels += batch.pixels
            labels += batch.labels
        }
        return Dataset(name: name, sampleShape: [3, 32, 32],
                       features: .bytes(pixels, scale: normalization.scale, shift: normalization.shift),
                       labels: labels, classCount: classCount)
    }

    /// Records in the binary format, for tests and fixtures: `pixels` is count x 3072
    /// bytes in R, G, B plane order.
    public static func encode(pixels: [UInt8], labels: [UInt8]) -> [UInt8] {
        // Invariant: the reader checks record counts before this.
        precondition(pixels.count == labels.count * imageBytes, "\(pixels.count) pixel bytes for \(labels.count) labels")
        var out = [UInt8](); out.reserveCapacity(labels.count * recordBytes)
        for (i, l) in labels.enumerated() {
            out.append(l)
            out += pixels[(i * imageBytes)..<((i + 1) * imageBytes)]
        }
        return out
    }
}
