import Testing
@testable import DendriteCore

/// The lesson check `branch_accuracy`: how well one dendrite's output, by itself,
/// separates the training set's two classes.
@Suite struct BranchAccuracyTests {
    @Test func bestThresholdFindsEitherDirectionAndRespectsTies() {
        let acc = LessonRunner.bestThresholdAccuracy
        #expect(acc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1)
        #expect(acc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]) == 1)
        // Class 1 in the middle (a bump's answer read off a monotonic scale): 3 of 4 at best.
        #expect(acc([0.1, 0.4, 0.6, 0.9], [0, 1, 1, 0]) == 0.75)
        // Equal values cannot be cut apart: one of each class at 0.5 costs one sample.
        #expect(acc([0.5, 0.5, 0.9], [0, 1, 1]) == 2.0 / 3)
        #expect(acc([0.3, 0.3], [0, 1]) == 0.5)
        #expect(acc([], []) == 0)
    }

    /// One branch with the neuron's own weights at 0, its input z = 0.43 + 3 (x1 + x2):
    /// on the four corners of binary XOR a dcaap bump fires only for the two class-1
    /// corners (x1 + x2 = 0), so that branch alone separates them; a sigmoid branch with
    /// the same weights is monotonic in x1 + x2, with the two class-0 corners on opposite
    /// sides of the class-1 ones: any threshold gets one class-0 corner wrong (3 of 4).
    @Test(arguments: [(DendriteActivation.dcaap, 1.0), (.sigmoid, 0.75)])
    func measuresTheSelectedBranchOnItsOwn(activation: DendriteActivation, expected: Double) throws {
        var rng = RNG(seed: 1)
        let network = Network(spec: NetworkSpec(inputShape: [2], layers: [.dense(1)]), rng: &rng)
        let p = try #require(network.perforate(mode: .gd, activation: activation).first)
        p.addDendriteSet(rng: &rng)
        p.addDendriteSet(rng: &rng)
        let set = p.dendrites[1]
        set.weight.value.storage = [3, 3]
        set.bias.value[0] = 0.43
        if let cascade = set.cascade { cascade.value.fill(0) }
        let data = ToyData.make(.corners, count: 40, noise: 0, seed: 2)
        guard case .float(let f) = data.features else { Issue.record("corners are float features"); return }
        let x = Tensor(shape: [40, 2], f)
        let v = try #require(LessonRunner.branchOutputs(network, layer: p, x: x, unit: 0, set: 1))
        #expect(v.count == 40)
        #expect(LessonRunner.bestThresholdAccuracy(v, labels: data.labels) == expected)
        #expect(LessonRunner.branchOutputs(network, layer: p, x: x, unit: 0, set: 2) == nil, "no third set")
        #expect(LessonRunner.branchOutputs(network, layer: p, x: x, unit: 1, set: 0) == nil, "no second neuron")
    }
}
