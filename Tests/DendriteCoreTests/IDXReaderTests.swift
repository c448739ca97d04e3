import Foundation
import Testing
import CZlibShim
@testable import DendriteCore

@Suite struct IDXReaderTests {
    /// n images of 28x28 with pixel (i, r, c) = (i * 7 + r * 3 + c) % 256, labels i % 10.
    static func images(_ n: Int) -> IDXArray {
        var px = [UInt8]()
        for i in 0..<n { for r in 0..<28 { for c in 0..<28 { px.append(UInt8((i * 7 + r * 3 + c) % 256)) } } }
        return IDXArray(dims: [n, 28, 28], bytes: px)
    }

    static func labels(_ n: Int) -> IDXArray { IDXArray(dims: [n], bytes: (0..<n).map { UInt8($0 % 10) }) }

    /// Expects `body` to throw a DataError of `kind` whose one-line message names `file`.
    static func expectError(_ kind: DataError.Kind, naming file: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected a \(kind) error for \(file), got none")
        } catch let e as DataError {
            #expect(e.kind == kind, "\(e)")
            #expect(e.description.hasPrefix(file), "\(e)")
            #expect(!e.description.contains("\n"))
        } catch {
            Issue.record("expected a DataError, got \(error)")
        }
    }

    @Test(arguments: [false, true])
    func readsImagesAndLabelsRawAndGzipped(compressed: Bool) throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let img = tmp.file("img"), lab = tmp.file("lab")
        try IDXWriter.write(Self.images(5), to: img, compressed: compressed)
        try IDXWriter.write(Self.labels(5), to: lab, compressed: compressed)
        #expect(GzipFile.isGzip(img) == compressed)

        let ds = try IDXReader.loadImagesAndLabels(images: img, labels: lab, name: "t")
        #expect(ds.sampleShape == [1, 28, 28])
        #expect(ds.labels == [0, 1, 2, 3, 4])
        #expect(ds.classCount == 10)
        guard case .bytes(let b, let scale, let shift) = ds.features else { Issue.record("expected bytes"); return }
        #expect(b == Self.images(5).bytes)
        #expect(scale == 1 / 255 && shift == 0)

        var x = Tensor(shape: [1]), y = [Int32]()
        ds.fill(indices: [3], into: &x, labels: &y)
        #expect(x.shape == [1, 1, 28, 28])
        let pixel: Float = Float((3 * 7 + 2 * 3 + 5) % 256) / 255
        #expect(x.storage[28 * 2 + 5] == pixel)
        #expect(y == [3])
    }

    @Test func gzipFileWrittenWithGzwriteIsReadBackByteForByte() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 31 / 7) }
        let path = tmp.file("p.gz")
        guard let gz = gzopen(path, "wb") else { Issue.record("gzopen failed"); return }
        let n = payload.withUnsafeBytes { gzwrite(gz, $0.baseAddress, UInt32($0.count)) }
        #expect(n == Int32(payload.count))
        #expect(gzclose(gz) == Z_OK)
        #expect(try GzipFile.readAll(path) == payload)
        #expect(try GzipFile.md5(path) == MD5.hex(payload))
    }

    @Test func truncatedFileIsReportedWithExpectedSize() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let path = tmp.write(Array(IDXWriter.encode(Self.images(2)).dropLast(10)), "cut-idx3-ubyte")
        Self.expectError(.truncated, naming: path) { _ = try IDXReader.read(path) }
        do { _ = try IDXReader.read(path) } catch {
            #expect("\(error)".contains("expected \(16 + 2 * 784)"))
        }
    }

    @Test func truncatedGzipIsReported() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let full = tmp.file("full.gz")
        try IDXWriter.write(Self.images(20), to: full, compressed: true)
        let gz = try [UInt8](Data(contentsOf: URL(fileURLWithPath: full)))
        let path = tmp.write(Array(gz.prefix(gz.count / 2)), "half.gz")
        Self.expectError(.truncated, naming: path) { _ = try IDXReader.read(path) }
    }

    @Test func wrongMagicIsReported() {
        let tmp = TempFolder(); defer { tmp.remove() }
        var bytes = IDXWriter.encode(Self.labels(4))
        bytes[0] = 0x50; bytes[1] = 0x4b
        let path = tmp.write(bytes, "zip-not-idx")
        Self.expectError(.wrongMagic, naming: path) { _ = try IDXReader.read(path) }
    }

    @Test func nonByteDataTypeIsReported() {
        let tmp = TempFolder(); defer { tmp.remove() }
        var bytes = IDXWriter.encode(Self.labels(4))
        bytes[2] = 0x0D  // float32
        let path = tmp.write(bytes, "floats")
        Self.expectError(.wrongMagic, naming: path) { _ = try IDXReader.read(path) }
    }

    @Test func extraBytesAreAWrongSize() {
        let tmp = TempFolder(); defer { tmp.remove() }
        let path = tmp.write(IDXWriter.encode(Self.labels(4)) + [1, 2, 3], "long")
        Self.expectError(.wrongSize, naming: path) { _ = try IDXReader.read(path) }
    }

    @Test func labelCountDifferentFromImageCountIsReported() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let img = tmp.file("img"), lab = tmp.file("lab")
        try IDXWriter.write(Self.images(3), to: img)
        try IDXWriter.write(Self.labels(2), to: lab)
        Self.expectError(.countMismatch, naming: lab) { _ = try IDXReader.loadImagesAndLabels(images: img, labels: lab) }
        do { _ = try IDXReader.loadImagesAndLabels(images: img, labels: lab) } catch {
            #expect("\(error)".contains(img))
        }
    }

    @Test func labelOutsideTheClassesIsReported() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let img = tmp.file("img"), lab = tmp.file("lab")
        try IDXWriter.write(Self.images(2), to: img)
        try IDXWriter.write(IDXArray(dims: [2], bytes: [3, 10]), to: lab)
        Self.expectError(.badLabel, naming: lab) { _ = try IDXReader.loadImagesAndLabels(images: img, labels: lab) }
    }

    @Test func corruptGzipIsReported() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let good = tmp.file("good.gz")
        try IDXWriter.write(Self.images(20), to: good, compressed: true)
        var gz = try [UInt8](Data(contentsOf: URL(fileURLWithPath: good)))
        for i in stride(from: 20, to: gz.count - 20, by: 13) { gz[i] ^= 0x5a }
        let path = tmp.write(gz, "bad.gz")
        Self.expectError(.corruptGzip, naming: path) { _ = try IDXReader.read(path) }
    }

    @Test func missingFileIsReported() {
        let path = "/nonexistent/dendrite/train-images-idx3-ubyte"
        Self.expectError(.unreadable, naming: path) { _ = try IDXReader.read(path) }
    }

    @Test func realDatasetLoaderReadsAFolderOfIDXFiles() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        try IDXWriter.write(Self.images(6), to: tmp.file("train-images-idx3-ubyte"))
        try IDXWriter.write(Self.labels(6), to: tmp.file("train-labels-idx1-ubyte.gz"), compressed: true)
        try IDXWriter.write(Self.images(2), to: tmp.file("t10k-images-idx3-ubyte.gz"), compressed: true)
        try IDXWriter.write(Self.labels(2), to: tmp.file("t10k-labels-idx1-ubyte"))
        let (train, test) = try RealData.load(name: "mnist", directory: tmp.path, normalization: .standard)
        #expect(train.count == 6 && test.count == 2)
        #expect(train.sampleShape == [1, 28, 28])
        // Measured normalisation gives the training pixels mean 0 and std 1.
        var x = Tensor(shape: [1]), y = [Int32]()
        train.fill(indices: ArraySlice(0..<6), into: &x, labels: &y)
        let mean = x.storage.reduce(0, +) / Float(x.storage.count)
        let variance = x.storage.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(x.storage.count)
        #expect(abs(mean) < 1e-4)
        #expect(abs(variance - 1) < 1e-3)
        Self.expectError(.unavailable, naming: tmp.file("data_batch_1.bin")) {
            _ = try RealData.load(name: "cifar10", directory: tmp.path)
        }
    }
}
