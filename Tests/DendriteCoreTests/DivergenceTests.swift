import Testing
@testable import DendriteCore

@Suite struct DivergenceTests {
    /// A linear-through-ReLU net with SGD at lr 1e6: the weights' scale roughly squares
    /// every step, so within a few batches something overflows.
    func explodingTrainer() -> Trainer {
        var rng = RNG(seed: 5)
        let data = ToyData.make(.spiral, count: 200, noise: 0.05, seed: 6)
        let (train, val) = data.split(validationFraction: 0.2, rng: &rng)
        let net = Network(spec: .mlp(inputs: 2, hidden: [16, 16], outputs: 2), rng: &rng)
        return Trainer(network: net, optimizer: SGD(learningRate: 1e6), train: train, validation: val,
                       config: TrainingConfig(batchSize: 8, epochs: 50, seed: 2))
    }

    @Test func hugeLearningRateIsCaughtInTheBatchThatWentNonFinite() {
        let t = explodingTrainer()
        var finiteAtEveryBatchDone = true
        var steps = 0
        var diverged: (epoch: Int, batch: Int, layer: String, message: String)?
        t.onEvent { e in
            switch e {
            case .batchDone:
                steps += 1
                // Every batch reported as done left finite weights behind.
                if !t.network.parameters.allSatisfy({ $0.value.storage.allSatisfy(\.isFinite) }) { finiteAtEveryBatchDone = false }
            case .diverged(let epoch, let batch, let layer, let message):
                diverged = (epoch, batch, layer, message)
            default: break
            }
        }
        t.run()
        #expect(finiteAtEveryBatchDone)
        guard let d = diverged else { Issue.record("no divergence in 50 epochs at lr 1e6"); return }
        #expect(t.divergence?.epoch == d.epoch && t.divergence?.batch == d.batch && t.divergence?.layer == d.layer)
        #expect(t.isFinished)
        // Epoch and batch count from 1 and place the step exactly.
        #expect(steps == (d.epoch - 1) * t.batchesPerEpoch + d.batch - 1)
        #expect(t.history.count == d.epoch - 1)
        // The named layer is the first non-finite parameter in network order.
        let params = t.network.parameters
        let firstBad = params.firstIndex { !$0.value.storage.allSatisfy(\.isFinite) }
        if d.layer == "loss" {
            #expect(firstBad == nil)
        } else {
            #expect(firstBad.map { params[$0].name } == d.layer)
        }
        #expect(d.message.contains("epoch \(d.epoch), batch \(d.batch)"))
        // A diverged trainer refuses to step further.
        t.stepBatch()
        t.runEpoch()
        #expect(steps == (d.epoch - 1) * t.batchesPerEpoch + d.batch - 1)
    }

    @Test func explodingCandidatesInAPBDendritePhaseAreCaughtByName() {
        var rng = RNG(seed: 3)
        let data = ToyData.make(.xor, count: 200, noise: 0, seed: 4)
        let net = Network(spec: .mlp(inputs: 2, hidden: [4], outputs: 2), rng: &rng)
        let t = Trainer(network: net, optimizer: Adam(learningRate: 0.01), train: data, validation: data,
                        config: TrainingConfig(batchSize: 16, epochs: 50, seed: 5),
                        mode: .pb, dendrites: DendriteConfig(candidateLearningRate: 1e38))
        t.runEpoch()
        #expect(t.addDendritesNow() && t.phase == .dendrite)
        for _ in 0..<(5 * t.batchesPerEpoch) where t.divergence == nil { t.stepBatch() }
        guard let d = t.divergence else { Issue.record("candidates at lr 1e38 stayed finite"); return }
        // The network's own parameters are frozen in this phase and still finite.
        #expect(t.network.parameters.allSatisfy { $0.value.storage.allSatisfy(\.isFinite) })
        #expect(d.layer.contains(".dendrites."), "\(d.layer)")
    }

    @Test func finiteScanFindsNaNAndInfinityAnywhere() {
        for n in [1, 7, 8, 9, 64, 1001] {
            for position in Set([0, n / 2, n - 1]) {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var t = Tensor(shape: [n])
                    t.storage[position] = bad
                    #expect(!Divergence.allFinite(t), "n \(n) at \(position): \(bad)")
                }
            }
            var ok = Tensor(shape: [n])
            for i in 0..<n { ok.storage[i] = Float(i) * 1e30 - 3e32 }
            #expect(Divergence.allFinite(ok))
        }
    }

    @Test func ordinaryTrainingNeverReportsADivergence() {
        var rng = RNG(seed: 1)
        let data = ToyData.make(.circle, count: 200, noise: 0.05, seed: 2)
        let (train, val) = data.split(validationFraction: 0.2, rng: &rng)
        let net = Network(spec: .mlp(inputs: 2, hidden: [8], outputs: 2), rng: &rng)
        let t = Trainer(network: net, optimizer: Adam(learningRate: 0.01), train: train, validation: val,
                        config: TrainingConfig(batchSize: 16, epochs: 5, seed: 3))
        t.run()
        #expect(t.divergence == nil && t.history.count == 5)
    }
}
