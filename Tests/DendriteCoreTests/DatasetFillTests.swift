import Testing
@testable import DendriteCore

/// Byte images are converted to floats per batch by an eight-lane C kernel
/// (`dendrite_bytes_to_floats`); it must give exactly the bits of Swift's
/// `Float(byte) * scale + shift` (a product rounded, then a sum rounded), or every trained
/// number on MNIST would move. All 256 byte values, in samples whose size leaves a
/// ragged tail for the scalar loop, under the scales and shifts the readers use.
@Suite struct DatasetFillTests {
    @Test(arguments: [(Float(1) / 255, Float(0)),
                      (Float(1) / (255 * 0.3081), Float(-0.1307 / 0.3081)),
                      (Float(1) / (255 * 0.3530), Float(-0.2860 / 0.3530)),
                      (Float(-3.7), Float(1e-3))])
    func bytesConvertWithTheBitsOfSwiftArithmetic(scale: Float, shift: Float) {
        let size = 259, count = 3
        let bytes = (0..<(size * count)).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 256) }
        let data = Dataset(name: "bytes", sampleShape: [size], features: .bytes(bytes, scale: scale, shift: shift),
                           labels: [0, 1, 0], classCount: 2)
        var x = Tensor.empty, y: [Int32] = []
        data.fill(indices: [2, 0, 1], into: &x, labels: &y, parallel: false)
        var expected: [Float] = []
        for i in [2, 0, 1] { expected += bytes[(i * size)..<((i + 1) * size)].map { Float($0) * scale + shift } }
        #expect(Set(bytes).count == 256)
        let differing = zip(x.storage, expected).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(x.shape == [3, size] && differing == 0, "\(differing) of \(expected.count) values differ")
        #expect(y == [0, 0, 1])
    }
}
