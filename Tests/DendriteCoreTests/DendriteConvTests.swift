import Testing
@testable import DendriteCore

/// A Conv2D(2 -> 3, k 3, padding 1) perforated layer with `sets` dendrite sets, every
/// weight far from zero. Its K and A scalars broadcast over each channel's 2-D map.
func perforatedConv(sets: Int, mode: DendriteMode, seed: UInt64, stride: Int = 1) -> PerforatedLayer {
    var rng = RNG(seed: seed)
    let conv = Conv2D(inputChannels: 2, outputChannels: 3, kernel: 3, stride: stride, padding: 1,
                      rng: &rng, name: "layers.0")
    let layer = PerforatedLayer(wrapping: conv, name: "layers.0", mode: mode)
    for _ in 0..<sets { layer.addDendriteSet(rng: &rng, scale: 0.7) }
    for s in layer.dendrites {
        for i in 0..<s.output.count { s.output.value[i] = rng.uniform(-1, 1) }
    }
    return layer
}

@Suite struct DendriteConvTests {
    @Test func gdConvLayerWithCascadeMatchesFiniteDifferences() {
        let layer = perforatedConv(sets: 2, mode: .gd, seed: 41)
        #expect(layer.dendrites[1].cascade!.value.shape == [1, 3])
        #expect(gradientCheckError(layer, input: randomTensor([2, 2, 5, 5], seed: 42)) < 2e-3)
    }

    @Test func gdStridedConvLayerMatchesFiniteDifferences() {
        let layer = perforatedConv(sets: 2, mode: .gd, seed: 43, stride: 2)
        #expect(gradientCheckError(layer, input: randomTensor([2, 2, 6, 6], seed: 44)) < 2e-3)
    }

    @Test func convDendriteParametersAreCountedExactly() {
        let layer = perforatedConv(sets: 3, mode: .gd, seed: 41)
        let b = layer.parameterBreakdown
        let perSet = 3 * 2 * 3 * 3 + 3
        #expect(b.neurons == perSet)
        #expect(b.dendrites == 3 * perSet)
        #expect(b.cascade == (1 + 2) * 3)
        #expect(b.outputWeights == 3 * 3)
        #expect(b.total == layer.parameterCount)
    }

    @Test func insertingAConvDendriteKeepsOutputs() {
        for mode in [DendriteMode.gd, .pb] {
            let layer = perforatedConv(sets: 1, mode: mode, seed: 45)
            let x = randomTensor([2, 2, 5, 5], seed: 46)
            let before = layer.forward(x, training: false)
            var rng = RNG(seed: 47)
            layer.addDendriteSet(rng: &rng)
            // Equal up to rounding: the wider batched sgemm may sum in another order.
            #expect(maxDifference(layer.forward(x, training: false), before) < 1e-5)
            layer.beginCandidate(rng: &rng)
            #expect(maxDifference(layer.forward(x, training: true), before) < 1e-5)
            #expect(layer.candidateOutput.shape == [2, 3, 5, 5])
            layer.acceptCandidate()
            #expect(maxDifference(layer.forward(x, training: false), before) < 1e-5)
        }
    }

    /// A small CNN on random images: PB dendrite phase trains only candidates and their
    /// correlation on a fixed subset rises; GD steps run and change dendrite weights.
    @Test func convNetworkRunsBothDendriteModes() {
        var rng = RNG(seed: 50)
        var f = [Float](repeating: 0, count: 64 * 36)
        var labels = [Int32](repeating: 0, count: 64)
        for i in 0..<64 {
            let c = Int32(i % 2)
            labels[i] = c
            for p in 0..<36 {
                // class 1: bright vertical bar in column 2; class 0: horizontal bar in row 3
                let (r, col) = (p / 6, p % 6)
                let on = c == 1 ? col == 2 : r == 3
                f[i * 36 + p] = (on ? 1 : 0) + 0.3 * rng.normal()
            }
        }
        let data = Dataset(name: "bars", sampleShape: [1, 6, 6], features: .float(f), labels: labels, classCount: 2)
        for mode in [DendriteMode.pb, .gd] {
            var r = RNG(seed: 51)
            let spec = NetworkSpec(inputShape: [1, 6, 6], layers: [
                .conv2d(filters: 2, kernel: 3, stride: 1, padding: 1), .relu, .flatten, .dense(2)])
            let net = Network(spec: spec, rng: &r)
            let t = Trainer(network: net, optimizer: Adam(learningRate: 0.01), train: data, validation: data,
                            config: TrainingConfig(batchSize: 16, epochs: 100, seed: 3),
                            mode: mode, dendrites: DendriteConfig(pEpochsToSwitch: 10, maxPEpochs: 20,
                                                                  candidateLearningRate: 0.05, statisticsRate: 0.1))
            #expect(net.perforatedLayers.count == 2)
            t.runEpoch()
            t.addDendritesNow()
            if mode == .pb {
                let cands = t.candidates!
                let convCandidate = net.perforatedLayers[0].candidateParameters.map(\.value)
                let neurons = net.perforatedLayers.flatMap(\.neuron.parameters).map(\.value)
                while t.phase == .dendrite { t.runEpoch() }
                let h = cands.measurementHistory
                #expect(h.count >= 10)
                #expect(h.last! > h.first!, "candidate correlation \(h)")
                #expect(cands.layers[0].dendrites.last!.weight.value != convCandidate[0], "conv candidate did not learn")
                #expect(net.perforatedLayers.flatMap(\.neuron.parameters).map(\.value) == neurons)
            } else {
                let w = net.perforatedLayers[0].dendrites[0].weight.value
                t.runEpoch()
                #expect(net.perforatedLayers[0].dendrites[0].weight.value != w)
            }
            #expect(net.dendriteCount == 1)
            t.runEpoch()
            #expect(t.history.last!.trainLoss.isFinite)
        }
    }
}
