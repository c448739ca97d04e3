import Testing
@testable import DendriteCore

@Suite struct CoreTrainingTests {
    @Test func denseBackwardMatchesFiniteDifferences() {
        var rng = RNG(seed: 3)
        let d = Dense(inputSize: 5, outputSize: 4, rng: &rng)
        #expect(gradientCheckError(d, input: randomTensor([3, 5], seed: 4)) < 1e-3)
    }

    @Test func mlpLearnsCircleAbove98Percent() {
        var rng = RNG(seed: 11)
        let data = ToyData.make(.circle, count: 800, noise: 0.02, seed: 5)
        let (train, val) = data.split(validationFraction: 0.25, rng: &rng)
        let net = Network(spec: .mlp(inputs: 2, hidden: [16], outputs: 2), rng: &rng)
        let trainer = Trainer(network: net, optimizer: Adam(learningRate: 0.02), train: train,
                              validation: val, config: TrainingConfig(batchSize: 16, epochs: 40, seed: 2))
        trainer.run()
        let acc = trainer.history.last!.validationAccuracy
        #expect(acc >= 0.98, "validation accuracy \(acc)")
    }

    @Test func sameSeedGivesBitIdenticalLosses() {
        func run() -> [Float] {
            var rng = RNG(seed: 21)
            let data = ToyData.make(.xor, count: 200, noise: 0.05, seed: 9)
            let (train, val) = data.split(validationFraction: 0.2, rng: &rng)
            let net = Network(spec: .mlp(inputs: 2, hidden: [8], outputs: 2), rng: &rng)
            let t = Trainer(network: net, optimizer: SGD(learningRate: 0.1, momentum: 0.9), train: train,
                            validation: val, config: TrainingConfig(batchSize: 10, epochs: 3, seed: 4))
            var losses: [Float] = []
            t.onEvent { if case .batchDone(_, _, _, let l) = $0 { losses.append(l) } }
            t.run()
            return losses
        }
        let a = run(), b = run()
        #expect(a.count == 3 * 16)  // 160 training samples in batches of 10
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
    }
}
