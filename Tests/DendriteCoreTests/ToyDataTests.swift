import Testing
@testable import DendriteCore

@Suite struct ToyDataTests {
    static func values(_ d: Dataset) -> [Float] {
        guard case .float(let f) = d.features else { return [] }
        return f
    }

    @Test(arguments: ToyData.Kind.allCases)
    func sameSeedGivesIdenticalPointsAndOtherSeedsDiffer(kind: ToyData.Kind) {
        let a = ToyData.make(kind, count: 300, noise: 0.1, seed: 7)
        let b = ToyData.make(kind, count: 300, noise: 0.1, seed: 7)
        let c = ToyData.make(kind, count: 300, noise: 0.1, seed: 8)
        #expect(Self.values(a).map(\.bitPattern) == Self.values(b).map(\.bitPattern))
        #expect(a.labels == b.labels)
        #expect(Self.values(a) != Self.values(c))
    }

    @Test(arguments: ToyData.Kind.allCases)
    func hasTwoRoughlyBalancedClassesInTheUnitSquare(kind: ToyData.Kind) {
        let d = ToyData.make(kind, count: 1000, noise: 0, seed: 3)
        #expect(d.classCount == 2)
        #expect(d.sampleShape == [2])
        #expect(Set(d.labels) == [0, 1])
        let ones = d.labels.filter { $0 == 1 }.count
        #expect((350...650).contains(ones), "\(ones) of 1000 in class 1")
        #expect(Self.values(d).allSatisfy { abs($0) <= 1.6 })
    }

    /// Binary XOR: every point is one of the four corners (each input off or on) plus
    /// its blob's jitter, each corner a quarter of the points, and the label is 1 exactly
    /// when one input is on.
    @Test(arguments: [Float(0), 0.1])
    func cornersAreBinaryXOR(noise: Float) {
        let n = 400, d = ToyData.make(.corners, count: n, noise: noise, seed: 6)
        let v = Self.values(d), c = ToyData.cornerOffset
        var perCorner = [Int](repeating: 0, count: 4)
        for i in 0..<n {
            let x = v[2 * i], y = v[2 * i + 1]
            let a = x > 0, b = y > 0   // the nearest corner's bits
            #expect(abs(abs(x) - c) <= 5 * noise && abs(abs(y) - c) <= 5 * noise, "point \(i) at (\(x), \(y))")
            #expect(d.labels[i] == (a != b ? 1 : 0), "point \(i) at (\(x), \(y)) has label \(d.labels[i])")
            perCorner[(a ? 1 : 0) + (b ? 2 : 0)] += 1
        }
        #expect(perCorner == [100, 100, 100, 100])
    }

    @Test func noiseMovesPointsByAboutItsStandardDeviation() {
        let clean = Self.values(ToyData.make(.spiral, count: 2000, noise: 0, seed: 5))
        let noisy = Self.values(ToyData.make(.spiral, count: 2000, noise: 0.1, seed: 5))
        // Spiral positions do not depend on the RNG, so the difference is the noise alone.
        let diffs = zip(clean, noisy).map { $1 - $0 }
        let std = (diffs.map { $0 * $0 }.reduce(0, +) / Float(diffs.count)).squareRoot()
        #expect(abs(std - 0.1) < 0.01, "noise std \(std)")
    }
}

/// The one walk over a dataset in batches (training, evaluation, candidate measurement).
@Suite struct BatchesTests {
    @Test func batchesCoverEverySampleOnceWithTheRemainderLast() {
        let b = Batches(samples: 10, size: 4)
        #expect(b.batchCount == 3 && Array(b) == [0..<4, 4..<8, 8..<10])
        #expect(Array(Batches(samples: 8, size: 4)) == [0..<4, 4..<8])
        #expect(Array(Batches(samples: 0, size: 4)).isEmpty)
    }

    @Test func forEachBatchFillsWhatFillGivesInOrder() {
        let data = ToyData.make(.moons, count: 11, noise: 0.1, seed: 2)
        let order = [3, 1, 4, 10, 5, 9, 2, 6, 0, 8, 7]
        for o in [nil, order] {
            var seen: [Int32] = [], batches = 0
            var x = Tensor.empty, y: [Int32] = []
            data.forEachBatch(size: 4, order: o) { bx, by in
                let r = Batches(samples: 11, size: 4).range(batches)
                data.fill(indices: (o ?? Array(0..<11))[r], into: &x, labels: &y)
                #expect(bx == x && by == y)
                seen += by
                batches += 1
            }
            #expect(batches == 3 && seen == (o ?? Array(0..<11)).map { data.labels[$0] })
        }
    }
}
