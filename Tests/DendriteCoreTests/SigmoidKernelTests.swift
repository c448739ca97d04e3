import Foundation
import Testing
@testable import DendriteCore

/// The sigmoid's four-lane kernel (CKernels/kernels.h) gives exactly the bits of the
/// scalar `1 / (1 + expf(-z))` it replaced, so no trained number changes. The kernel was
/// checked on all 2^32 float inputs once (docs/reliability.md); this samples a million
/// bit patterns spread over the whole range, plus the edges where the kernel hands a
/// lane back to expf (large |z|, infinities, NaN) and the ragged tail.
@Suite struct SigmoidKernelTests {
    static func inputs() -> [Float] {
        var z: [Float] = [0, -0, 1, -1, 80, -80, 87.5, -87.5, 88.8, -88.8, 103, -104, 200, -200,
                          .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                          .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        var u: UInt64 = 0
        while u < 1 << 32 { z.append(Float(bitPattern: UInt32(u))); u += 4099 }
        z.append(0.25)   // an odd count: the scalar tail runs too
        return z
    }

    @Test func lanesGiveTheBitsOfTheScalarSigmoid() {
        let z = Self.inputs()
        var v = z
        v.withUnsafeMutableBufferPointer { DendriteActivation.sigmoid.apply($0.baseAddress!, count: $0.count) }
        let differing = (0..<z.count).filter { v[$0].bitPattern != DendriteActivation.sigmoid.apply(z[$0]).bitPattern }
        #expect(differing.isEmpty, "\(differing.count) of \(z.count) differ, first at z = \(differing.first.map { z[$0] } ?? 0)")
    }

    @Test func theSigmoidLayerUsesTheSameBits() {
        let z = Array(Self.inputs().prefix(40_001))
        let layer = Activation(.sigmoid)
        let y = layer.forward(Tensor(shape: [1, z.count], z), training: false)
        #expect(zip(y.storage, z).allSatisfy { $0.bitPattern == DendriteActivation.sigmoid.apply($1).bitPattern })
    }
}
