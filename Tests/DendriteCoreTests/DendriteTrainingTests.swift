import Testing
@testable import DendriteCore

/// Quadrant XOR (class 1 where x*y > 0) with every point at least `margin` from both
/// axes. ToyData.xor keeps 0.05: there PB's frozen dendrites usually stop at 98-99.5%
/// (the last few points hug the axes), so the 100% claim is tested with 0.15.
func quadrantXOR(count: Int, margin: Float, seed: UInt64) -> Dataset {
    var rng = RNG(seed: seed)
    var f = [Float](), labels = [Int32]()
    for _ in 0..<count {
        let x = (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(margin, 1)
        let y = (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(margin, 1)
        f += [x, y]
        labels.append(x * y > 0 ? 1 : 0)
    }
    return Dataset(name: "xor", sampleShape: [2], features: .float(f), labels: labels, classCount: 2)
}

/// A trainer for one output neuron (2 inputs -> 1 logit, sigmoid + BCE) on quadrant XOR,
/// scored on the training set itself.
func xorTrainer(mode: DendriteMode, seed: UInt64, learningRate: Float, epochs: Int = 1000) -> Trainer {
    var rng = RNG(seed: seed)
    let data = quadrantXOR(count: 200, margin: 0.15, seed: 3)
    let net = Network(spec: NetworkSpec(inputShape: [2], layers: [.dense(1)]), rng: &rng)
    // Single-candidate P phases with the plain "any gain" stop rule: the settings this
    // claim was measured with (the pool and lr trial are tuned on MNIST, docs/pb-tuning.md).
    let dendrites = DendriteConfig(maxDendrites: 5, nEpochsToSwitch: 30, pEpochsToSwitch: 15, maxPEpochs: 80,
                                   pMinimumImprovement: 0, candidatePool: 1, learningRateTrialEpochs: 0,
                                   candidateLearningRate: 0.2, statisticsRate: 0.1)
    return Trainer(network: net, optimizer: Adam(learningRate: learningRate), train: data, validation: data,
                   config: TrainingConfig(batchSize: 16, epochs: epochs, seed: seed), mode: mode, dendrites: dendrites)
}

@Suite struct DendriteTrainingTests {
    /// A point neuron cannot do XOR; with dendrites (cascaded, at least two sets) it can.
    /// PB's neuron phase is logistic regression over frozen dendrite features, so it gets
    /// a larger rate. Over seeds 1-8: none <= 66%, GD 100% on 8, PB 100% on 7.
    @Test func dendritesLetOneNeuronSolveXOR() {
        let none = xorTrainer(mode: .none, seed: 1, learningRate: 0.05, epochs: 300)
        none.run()
        let plain = none.evaluate(none.train).accuracy
        #expect(plain <= 0.75, "a point neuron reached \(plain) on XOR")
        #expect(none.network.parameterCount == 3)

        for (mode, rate) in [(DendriteMode.gd, Float(0.05)), (.pb, 0.1)] {
            let t = xorTrainer(mode: mode, seed: 1, learningRate: rate)
            var added = 0, lastDecision = ""
            t.onEvent {
                if case .dendriteAdded = $0 { added += 1 }
                if case .decision(_, let message) = $0 { lastDecision = message }
            }
            t.run()
            let acc = t.evaluate(t.train).accuracy
            print("XOR \(mode): accuracy \(acc), \(t.network.dendriteCount) dendrite sets, \(t.network.parameterCount) parameters, \(t.epoch) epochs")
            #expect(acc == 1, "\(mode) reached \(acc)")
            #expect(t.network.dendriteCount >= 2, "\(mode): \(t.network.dendriteCount) dendrite sets")
            #expect(added >= t.network.dendriteCount)
            #expect(t.network.parameterCount == t.network.parameterBreakdown.total)
            #expect(t.history.contains { $0.dendrites > 0 })
            // Training ends on the best model: its architecture and its score.
            #expect(t.isFinished)
            #expect(t.network.dendriteCount == t.tracker.globalBestDendrites)
            // The decision that ended it names the model kept, not the last one grown.
            #expect(lastDecision.hasSuffix("restored the best model (epoch \(t.bestEpoch), \(t.network.dendriteCount) dendrite sets)"),
                    "\(lastDecision)")
            #expect(acc == t.history.map(\.validationAccuracy).max())
        }
    }

    @Test func candidateCorrelationRisesDuringADendritePhase() {
        let t = xorTrainer(mode: .pb, seed: 2, learningRate: 0.05)
        for _ in 0..<20 { t.runEpoch() }
        #expect(t.addDendritesNow())
        #expect(t.phase == .dendrite)
        let candidates = t.candidates!
        while t.phase == .dendrite { t.runEpoch() }
        let h = candidates.measurementHistory
        print("candidate |corr| per epoch: \(h.map { Float($0) })")
        #expect(h.count >= 5)
        #expect(h.last! > h.first! + 0.15, "correlation went from \(h.first!) to \(h.last!)")
    }

    @Test func switchingThroughTheTrainerKeepsOutputs() {
        var x = Tensor.empty, y: [Int32] = []
        for mode in [DendriteMode.gd, .pb] {
            let t = xorTrainer(mode: mode, seed: 5, learningRate: 0.05)
            for _ in 0..<3 { t.runEpoch() }
            t.train.fill(indices: Array(0..<50)[...], into: &x, labels: &y)
            let before = t.network.forward(x, training: false).storage
            var events: [String] = []
            t.onEvent { e in
                switch e {
                case .phaseChanged(_, let from, let to, _): events.append("\(from.rawValue)->\(to.rawValue)")
                case .dendriteAdded(_, let d, let layers, _): events.append("added \(d) in \(layers)")
                default: break
                }
            }
            #expect(t.addDendritesNow())
            while t.phase == .dendrite { t.stepBatch() }
            #expect(t.network.dendriteCount == 1)
            #expect(t.network.forward(x, training: false).storage == before, "\(mode): outputs changed")
            let expected = mode == .gd ? ["added 1 in [\"layers.0 (1 neurons)\"]"]
                : ["N->P", "added 1 in [\"layers.0 (1 neurons)\"]", "P->N"]
            #expect(events == expected)
        }
    }

    @Test func dendritePhaseMovesOnlyCandidates() {
        let t = xorTrainer(mode: .pb, seed: 2, learningRate: 0.05)
        for _ in 0..<5 { t.runEpoch() }
        t.addDendritesNow()
        let before = t.network.parameters.map(\.value)
        let candidates = t.candidates!.parameters
        let candBefore = candidates.map(\.value)
        for _ in 0..<20 { t.stepBatch() }
        #expect(t.phase == .dendrite)
        #expect(t.network.parameters.map(\.value) == before, "a neuron or dendrite weight moved in P")
        #expect(candidates.map(\.value) != candBefore, "candidates did not learn")
        // The Lab's D key in a dendrite phase accepts the candidates now.
        #expect(t.addDendritesNow())
        #expect(t.phase == .neuron && t.network.dendriteCount == 1 && t.tracker.phase == .neuron)
        t.runEpoch()
    }
}

@Suite struct PerforationTests {
    /// Layer 0: Dense(3 -> 4) + tanh; layer 2: perforated Dense(4 -> 2) with two accepted
    /// dendrite sets whose A is nonzero, so the dendrite path matters.
    func network(mode: DendriteMode) -> Network {
        var rng = RNG(seed: 31)
        let net = Network(spec: NetworkSpec(inputShape: [3], layers: [.dense(4), .tanh, .dense(2)]), rng: &rng)
        let layer = net.perforate(mode: mode, layers: [2])[0]
        for _ in 0..<2 { layer.addDendriteSet(rng: &rng, scale: 0.8) }
        for s in layer.dendrites { for i in 0..<s.output.count { s.output.value[i] = rng.uniform(-1, 1) } }
        return net
    }

    func loss(_ net: Network, _ x: Tensor, _ y: [Int32]) -> (Float, SoftmaxCrossEntropy) {
        var ce = SoftmaxCrossEntropy()
        let l = ce.forward(logits: net.forward(x, training: true), labels: y[...])
        return (l, ce)
    }

    @Test func pbNeuronPhaseTreatsDendritesAsConstants() {
        let x = randomTensor([6, 3], seed: 32)
        let y: [Int32] = [0, 1, 1, 0, 1, 0]
        let net = network(mode: .pb)
        let layer = net.perforatedLayers[0]
        let (_, ce) = loss(net, x, y)
        net.backward(ce.gradient)
        let dendriteValues = layer.dendrites.flatMap(\.inputParameters).map(\.value)
        // No gradient reaches dendrite inputs, and an optimizer step leaves them alone.
        #expect(layer.dendrites.flatMap(\.inputParameters).allSatisfy { !$0.trainable && $0.grad.storage.allSatisfy { $0 == 0 } })
        Adam(learningRate: 0.1).step(net.parameters)
        #expect(layer.dendrites.flatMap(\.inputParameters).map(\.value) == dendriteValues)
        #expect(layer.dendrites.allSatisfy { $0.output.trainable })

        // Reference: the same network with the dendrite contribution frozen as a constant
        // offset c = y - n; differentiate the loss w.r.t. layer 0's weights numerically.
        let fresh = network(mode: .pb)
        let pl = fresh.perforatedLayers[0]
        let h = fresh.layers[1].forward(fresh.layers[0].forward(x, training: true), training: true)
        let full = pl.forward(h, training: true).storage
        let neuronOnly = pl.neuron.forward(h, training: true).storage
        let offset = zip(full, neuronOnly).map { $0 - $1 }
        let (_, ceRef) = loss(fresh, x, y)
        fresh.backward(ceRef.gradient)
        let analytic = (fresh.layers[0] as! Dense).weight.grad
        let w0 = (fresh.layers[0] as! Dense).weight
        func constantPathLoss() -> Double {
            let h = fresh.layers[1].forward(fresh.layers[0].forward(x, training: true), training: true)
            var logits = pl.neuron.forward(h, training: true)
            for i in 0..<logits.count { logits[i] += offset[i] }
            var ce = SoftmaxCrossEntropy()
            return Double(ce.forward(logits: logits, labels: y[...]))
        }
        var worst = 0.0
        for i in 0..<w0.count {
            let v = w0.value[i]
            w0.value[i] = v + 1e-2; let lp = constantPathLoss()
            w0.value[i] = v - 1e-2; let lm = constantPathLoss()
            w0.value[i] = v
            let num = (lp - lm) / 2e-2
            worst = max(worst, abs(num - Double(analytic[i])) / max(1e-3, abs(num) + abs(Double(analytic[i]))))
        }
        #expect(worst < 1e-2, "PB gradient into layer 0 differs from the constant-dendrite reference by \(worst)")

        // And it must differ from GD's, where gradient does flow through the dendrites.
        let gd = network(mode: .gd)
        let (_, ceGD) = loss(gd, x, y)
        gd.backward(ceGD.gradient)
        let gdGrad = (gd.layers[0] as! Dense).weight.grad
        let diff = zip(gdGrad.storage, analytic.storage).map { abs($0 - $1) }.max()!
        #expect(diff > 1e-3, "GD and PB gradients agree; the dendrite path carried nothing")
    }
}

/// Two spirals (1.75 turns, 300 points) on a 2-4-2 tanh network, adding a dendrite set
/// every 40 neuron-phase epochs up to 10. (With the plateau rule, 2 of seeds 1-4 stop
/// after one dendrite set fails to beat the plain network twice; fixed intervals reach
/// 100% on all four.)
func spiralTrainer(mode: DendriteMode, seed: UInt64, epochs: Int = 3000) -> Trainer {
    var rng = RNG(seed: seed)
    let data = ToyData.make(.spiral, count: 300, noise: 0, seed: 3)
    let net = Network(spec: .mlp(inputs: 2, hidden: [4], outputs: 2, activation: .tanh), rng: &rng)
    let dendrites = DendriteConfig(maxDendrites: 10, switchMode: .fixed, pEpochsToSwitch: 10, maxPEpochs: 60,
                                   candidatePool: 1, learningRateTrialEpochs: 0, fixedInterval: 40,
                                   candidateLearningRate: 0.2, statisticsRate: 0.1)
    return Trainer(network: net, optimizer: Adam(learningRate: 0.02), train: data, validation: data,
                   config: TrainingConfig(batchSize: 16, epochs: epochs, seed: seed), mode: mode, dendrites: dendrites)
}

@Suite struct DendriteSpiralTests {
    @Test func cascadingPBDendritesLetATinyNetworkSeparateTwoSpirals() {
        let plain = spiralTrainer(mode: .none, seed: 2, epochs: 1000)
        plain.run()
        let plainAcc = plain.evaluate(plain.train).accuracy
        let pb = spiralTrainer(mode: .pb, seed: 2)
        pb.run()
        let acc = pb.evaluate(pb.train).accuracy
        let b = pb.network.parameterBreakdown
        print("two spirals: plain 2-4-2 \(plainAcc) (\(plain.network.parameterCount) parameters); "
              + "PB \(acc) with \(pb.network.dendriteCount) dendrite sets, \(b.total) parameters "
              + "(\(b.neurons) neurons, \(b.dendrites) dendrites, \(b.cascade) cascade, \(b.outputWeights) A), \(pb.epoch) epochs")
        #expect(plainAcc < 0.8, "the plain network reached \(plainAcc)")
        #expect(acc >= 0.95, "PB reached \(acc)")
        #expect(pb.network.dendriteCount >= 2)
    }
}
