import Foundation
import Testing
@testable import DendriteCore

@Suite struct CIFARReaderTests {
    /// n records: pixel k of image i = (5i + k + 77 * channel) % 256; label (i * 3) % 10.
    static func records(_ n: Int, firstImage: Int = 0) -> (pixels: [UInt8], labels: [UInt8]) {
        var px = [UInt8]()
        for i in firstImage..<(firstImage + n) { for k in 0..<3072 { px.append(UInt8((i * 5 + k + 77 * (k / 1024)) % 256)) } }
        return (px, (firstImage..<(firstImage + n)).map { UInt8($0 * 3 % 10) })
    }

    @Test(arguments: [false, true])
    func readsRecordsAsChannelFirstImages(compressed: Bool) throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let r = Self.records(4)
        let bin = CIFARReader.encode(pixels: r.pixels, labels: r.labels)
        #expect(bin.count == 4 * 3073)
        let path = tmp.file("data_batch_1.bin")
        try GzipFile.write(bin, to: path, compressed: compressed)

        let ds = try CIFARReader.load([path])
        #expect(ds.sampleShape == [3, 32, 32])
        #expect(ds.labels == [0, 3, 6, 9])
        var x = Tensor(shape: [1]), y = [Int32]()
        ds.fill(indices: [2], into: &x, labels: &y)
        #expect(x.shape == [1, 3, 32, 32])
        // Byte 1 of a record is red (0, 0); byte 1 + 1024 is green (0, 0); 1 + 2048 + 33 blue (1, 1).
        let record = Array(bin[(2 * 3073 + 1)..<(3 * 3073)])
        let expected: [Float] = [record[0], record[1024], record[2048 + 33]].map { Float($0) * (1 / 255) }
        let got: [Float] = [x.storage[0], x.storage[1024], x.storage[2048 + 33]]
        #expect(got == expected)
        #expect(record[0] != record[1024])
        #expect(y == [6])
    }

    @Test func concatenatesBatchesInOrder() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let a = Self.records(2), b = Self.records(3, firstImage: 2)
        let pa = tmp.write(CIFARReader.encode(pixels: a.pixels, labels: a.labels), "a.bin")
        let pb = tmp.write(CIFARReader.encode(pixels: b.pixels, labels: b.labels), "b.bin")
        let ds = try CIFARReader.load([pa, pb])
        #expect(ds.count == 5)
        #expect(ds.labels == (0..<5).map { Int32($0 * 3 % 10) })
        guard case .bytes(let px, _, _) = ds.features else { Issue.record("expected bytes"); return }
        #expect(px == a.pixels + b.pixels)
    }

    @Test func sizeThatIsNotAWholeNumberOfRecordsIsReported() {
        let tmp = TempFolder(); defer { tmp.remove() }
        let r = Self.records(2)
        let path = tmp.write(CIFARReader.encode(pixels: r.pixels, labels: r.labels) + [9, 9, 9], "test_batch.bin")
        IDXReaderTests.expectError(.wrongSize, naming: path) { _ = try CIFARReader.readBatch(path) }
        do { _ = try CIFARReader.readBatch(path) } catch { #expect("\(error)".contains("3073")) }
    }

    @Test func truncatedLastRecordIsReported() {
        let tmp = TempFolder(); defer { tmp.remove() }
        let r = Self.records(2)
        let path = tmp.write(Array(CIFARReader.encode(pixels: r.pixels, labels: r.labels).dropLast(100)), "cut.bin")
        IDXReaderTests.expectError(.wrongSize, naming: path) { _ = try CIFARReader.readBatch(path) }
    }

    @Test func emptyFileIsReported() {
        let tmp = TempFolder(); defer { tmp.remove() }
        let path = tmp.write([], "empty.bin")
        IDXReaderTests.expectError(.truncated, naming: path) { _ = try CIFARReader.readBatch(path) }
    }

    @Test func labelAboveNineIsReported() {
        let tmp = TempFolder(); defer { tmp.remove() }
        let r = Self.records(3)
        var bin = CIFARReader.encode(pixels: r.pixels, labels: r.labels)
        bin[2 * 3073] = 10
        let path = tmp.write(bin, "bad-label.bin")
        IDXReaderTests.expectError(.badLabel, naming: path) { _ = try CIFARReader.readBatch(path) }
        do { _ = try CIFARReader.readBatch(path) } catch { #expect("\(error)".contains("record 2")) }
    }
}
