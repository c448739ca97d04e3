import Foundation
import Testing
@testable import DendriteCore

/// The pieces issue 14 added to PB's dendrite phase: a pool of candidates per neuron,
/// the held-out stop rule, and N/P epoch accounting.
@Suite struct CandidatePoolTests {
    /// Scripted correlations decide which pool member each neuron keeps, and the weights
    /// installed are that member's at its best measurement, not its last.
    @Test func poolKeepsTheBestCorrelatedCandidatePerNeuron() {
        var rng = RNG(seed: 3)
        let layer = PerforatedLayer(wrapping: Dense(inputSize: 4, outputSize: 2, rng: &rng, name: "layers.0"),
                                    name: "layers.0", mode: .pb)
        let trainer = CandidateTrainer(layers: [layer], poolSize: 3, rng: &rng)
        let w = layer.candidateParameters[0]
        #expect(w.value.shape == [6, 4] && layer.poolSize == 3)
        // Channels are pool-major: candidate p of neuron n is p * 2 + n.
        let first: [Double] = [0.10, 0.40, 0.50, 0.20, 0.30, 0.60]
        trainer.recordMeasurement([first])
        #expect(trainer.choice == [[1, 2]])
        let atBest = w.value
        // The weights move on and every candidate measures worse: the best are kept.
        for i in 0..<w.value.count { w.value[i] += 1 }
        trainer.recordMeasurement([first.map { $0 - 0.05 }])
        #expect(trainer.bestCorrelations == [[0.5, 0.6]])
        trainer.accept()
        let kept = layer.dendrites[0].weight.value
        #expect(kept.shape == [2, 4] && layer.candidate == nil)
        for j in 0..<4 {
            #expect(kept[0 * 4 + j] == atBest[(1 * 2 + 0) * 4 + j])   // neuron 0: member 1
            #expect(kept[1 * 4 + j] == atBest[(2 * 2 + 1) * 4 + j])   // neuron 1: member 2
        }
    }

    /// A pool of one draws and computes exactly what a single candidate did: the same V.
    @Test func poolMembersComputeIndependentlyOfEachOther() {
        var rng = RNG(seed: 5)
        let layer = perforatedDense(inputs: 3, neurons: 2, sets: 1, mode: .pb, seed: 4)
        layer.beginCandidate(rng: &rng, pool: 2)
        let x = randomTensor([5, 3], seed: 6)
        _ = layer.forward(x, training: true)
        let pooled = layer.poolOutput
        #expect(pooled.shape == [5, 4])
        // Member 1 alone, recomputed by hand: V = sigmoid(W x + b + K v_0).
        let w = layer.candidateParameters[0].value, b = layer.candidateParameters[1].value
        let k = layer.candidateParameters[2].value, v = layer.dendriteOutputs
        for s in 0..<5 {
            for n in 0..<2 {
                let ch = 1 * 2 + n
                var z = b[ch] + k[ch] * v[s * 2 + n]
                for i in 0..<3 { z += w[ch * 3 + i] * x[s * 3 + i] }
                #expect(abs(pooled[s * 4 + ch] - 1 / (1 + exp(-z))) < 1e-5)
            }
        }
    }

    /// The P stop rule on the held-out correlation: gains under 1% (relative) do not
    /// count, `endDendritePhase(reason:)` ends a phase directly.
    @Test func dendritePhaseStopsWhenHeldOutCorrelationStopsImproving() {
        var t = SwitchTracker(config: .init(pEpochsToSwitch: 2, pMinimumImprovement: 0.01, maxDendritePhaseEpochs: 20))
        _ = t.forceAddDendrites(epoch: 0)
        let heldOut: [Float] = [0.10, 0.20, 0.201, 0.2015, 0.3]
        var actions: [SwitchTracker.Action] = []
        for (i, c) in heldOut.enumerated() where t.phase == .dendrite {
            actions.append(t.recordDendriteEpoch(correlation: c, epoch: i + 1, epochsInPhase: i + 1).action)
        }
        #expect(actions == [.keepTraining, .keepTraining, .keepTraining, .endDendritePhase])
        #expect(t.bestCorrelation == 0.2 && t.phase == .neuron)

        // Still rising by more than 1% per epoch: only the cap ends it.
        var rising = SwitchTracker(config: .init(pEpochsToSwitch: 2, pMinimumImprovement: 0.01, maxDendritePhaseEpochs: 4))
        _ = rising.forceAddDendrites(epoch: 0)
        let a = (1...4).map { rising.recordDendriteEpoch(correlation: 0.1 * Float($0), epoch: $0, epochsInPhase: $0).action }
        #expect(a == [.keepTraining, .keepTraining, .keepTraining, .endDendritePhase])
        #expect(rising.log.last?.reason.contains("cap") == true)

        var asked = SwitchTracker(config: .init())
        _ = asked.forceAddDendrites(epoch: 0)
        let d = asked.endDendritePhase(reason: "on request", epoch: 1)
        #expect(d.action == .endDendritePhase && asked.phase == .neuron && asked.log.last?.reason == "on request")
    }

    /// The epoch budget counts N epochs; P epochs are counted apart in every metrics row,
    /// in metrics.csv and in summary.json.
    @Test func neuronAndDendriteEpochsAreCountedApart() throws {
        let yaml = """
            name: np-accounting
            dataset: {name: xor, count: 200, noise: 0, validation: 0.25}
            network: {layers: [dense 1]}
            mode: pb
            dendrites: {max_dendrites: 2, n_epochs_to_switch: 3, p_epochs_to_switch: 2, max_p_epochs: 4,
                        candidate_lr: 0.2, statistics_rate: 0.1, candidate_pool: 2, lr_trial_epochs: 1}
            optimizer: {kind: adam, lr: 0.1}
            epochs: 30
            batch_size: 16
            seed: 2
            """
        let experiment = try ExperimentLoader.decode(yaml: yaml, file: "np.yaml")
        let folder = temporaryFolder("np-accounting")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try ExperimentRun(experiment: experiment, folder: folder)
        guard case .finished(let summary) = try run.run() else { Issue.record("run did not finish"); return }
        let history = run.session.trainer.history
        let n = history.filter { $0.phase == .neuron }.count, p = history.filter { $0.phase == .dendrite }.count
        #expect(p > 0, "no dendrite phase ran")
        #expect(summary.neuronEpochs == n && summary.dendriteEpochs == p && summary.epochs == n + p)
        // The budget is N epochs unless the switching rule stopped first.
        #expect(n == 30 || run.session.trainer.tracker.finished)
        var seenN = 0, seenP = 0
        for m in history {
            if m.phase == .neuron { seenN += 1 } else { seenP += 1 }
            #expect(m.neuronEpochs == seenN && m.dendriteEpochs == seenP)
        }
        let rows = try String(contentsOf: folder.appendingPathComponent("metrics.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(rows[0][9] == "n_epochs" && rows[0][10] == "p_epochs")
        #expect(rows.last?[9] == "\(n)" && rows.last?[10] == "\(p)")
        let events = try String(contentsOf: folder.appendingPathComponent("events.jsonl"), encoding: .utf8)
        let correlations = events.split(separator: "\n").filter { $0.contains("\"candidate_correlation\"") }
        #expect(correlations.count == p, "one held-out/batch correlation event per P epoch")
        #expect(events.contains("learning-rate trial after the switch"))
    }

    /// Candidates step through the `Optimizer` they are given: with plain SGD one batch
    /// moves every candidate weight by exactly -lr times its gradient.
    @Test func candidatesStepThroughTheGivenOptimizer() {
        var rng = RNG(seed: 3)
        let data = ToyData.make(.xor, count: 64, noise: 0, seed: 4)
        let net = Network(spec: .mlp(inputs: 2, hidden: [4], outputs: 2), rng: &rng)
        let t = Trainer(network: net, optimizer: Adam(learningRate: 0.01), train: data, validation: data,
                        config: TrainingConfig(batchSize: 16, epochs: 5, seed: 5), mode: .pb)
        t.runEpoch()
        #expect(t.addDendritesNow() && t.phase == .dendrite)
        let sgd = SGD(learningRate: 0.25)
        t.candidates = CandidateTrainer(layers: net.perforatedLayers, optimizer: sgd, statisticsRate: 0.1, rng: &rng)
        let params = t.candidates!.parameters
        let before = params.map(\.value)
        t.stepBatch()
        #expect(t.candidates!.steps == 1)
        for (p, old) in zip(params, before) {
            let expected = (0..<old.count).map { old[$0] - 0.25 * p.grad[$0] }
            #expect(p.value.storage == expected, "\(p.name)")
            #expect(p.value != old, "\(p.name) did not move")
        }
    }
}
