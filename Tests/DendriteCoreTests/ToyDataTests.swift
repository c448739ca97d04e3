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

    @Test func noiseMovesPointsByAboutItsStandardDeviation() {
        let clean = Self.values(ToyData.make(.spiral, count: 2000, noise: 0, seed: 5))
        let noisy = Self.values(ToyData.make(.spiral, count: 2000, noise: 0.1, seed: 5))
        // Spiral positions do not depend on the RNG, so the difference is the noise alone.
        let diffs = zip(clean, noisy).map { $1 - $0 }
        let std = (diffs.map { $0 * $0 }.reduce(0, +) / Float(diffs.count)).squareRoot()
        #expect(abs(std - 0.1) < 0.01, "noise std \(std)")
    }
}
