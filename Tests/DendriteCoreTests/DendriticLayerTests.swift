import Foundation
import Testing
@testable import DendriteCore

@Suite struct DendriticLayerTests {
    /// The layer's definition in Float64, read off its own index table.
    static func reference(_ layer: DendriticLayer, batch: Int) -> ([Double], [[Double]]) -> [Double] {
        let (s, d, k, n) = (layer.somas, layer.dendritesPerSoma, layer.inputsPerDendrite, layer.inputSize)
        let idx = layer.synapses.map(Int.init)
        func leaky(_ t: Double) -> Double { t > 0 ? t : 0.1 * t }
        return { x, p in
            var y = [Double](repeating: 0, count: batch * s)
            for b in 0..<batch {
                for soma in 0..<s {
                    var u = p[3][soma]
                    for j in 0..<d {
                        let dend = soma * d + j
                        var z = p[1][dend]
                        for i in 0..<k { z += p[0][dend * k + i] * x[b * n + idx[dend * k + i]] }
                        u += p[2][soma * d + j] * leaky(z)
                    }
                    y[b * s + soma] = leaky(u)
                }
            }
            return y
        }
    }

    @Test(arguments: InputSampling.allCases)
    func gradientsMatchFloat64FiniteDifferences(sampling: InputSampling) {
        var rng = RNG(seed: 21)
        let layer = DendriticLayer(inputShape: [1, 6, 6], somas: 3, dendrites: 2, inputs: 4,
                                   sampling: sampling, rng: &rng)
        let err = referenceGradientError(layer, input: randomTensor([3, 1, 6, 6], seed: 22),
                                         reference: Self.reference(layer, batch: 3))
        #expect(err < 1e-3, "\(sampling): relative error \(err)")
    }

    @Test func gradientsHoldOnAVectorInputWithManySynapses() {
        var rng = RNG(seed: 23)
        let layer = DendriticLayer(inputShape: [10], somas: 2, dendrites: 3, inputs: 7, sampling: .global, rng: &rng)
        let err = referenceGradientError(layer, input: randomTensor([4, 10], seed: 24),
                                         reference: Self.reference(layer, batch: 4))
        #expect(err < 1e-3, "relative error \(err)")
    }

    @Test func parameterCountsOnlyTheConnectionsThatExist() throws {
        // Hand count: 2 somas x 3 dendrites x 4 inputs on a 4x4 image, then dense 2.
        //   dendrites 6 x (4 weights + 1 bias) = 30, somas 2 x (3 + 1) = 8, dense 2 x 2 + 2 = 6.
        let spec = NetworkSpec(inputShape: [1, 4, 4],
                               layers: [.dendritic(somas: 2, dendrites: 3, inputs: 4, sampling: .local), .dense(2)])
        var rng = RNG(seed: 1)
        let net = Network(spec: spec, rng: &rng)
        #expect(net.parameterCount == 44)
        #expect(spec.plainParameterCount == 44)
        // The issue's table: 32x8x16 and 128x8x16 on MNIST with dense 10.
        for (s, expected) in [(32, 4970), (64, 9930), (128, 19850)] {
            let mnist = NetworkSpec(inputShape: [1, 28, 28],
                                    layers: [.dendritic(somas: s, dendrites: 8, inputs: 16, sampling: .local), .dense(10)])
            #expect(mnist.plainParameterCount == expected)
            var r = RNG(seed: 2)
            #expect(Network(spec: mnist, rng: &r).parameterCount == expected)
        }
    }

    @Test func localDendritesSeeOnePatchRandomOnesDistinctInputsGlobalOnesTheWholeImage() {
        var rng = RNG(seed: 5)
        let count = 200
        let local = InputSampling.local.indices(inputShape: [1, 28, 28], dendrites: count, k: 16, rng: &rng)
        let random = InputSampling.random.indices(inputShape: [784], dendrites: count, k: 16, rng: &rng)
        let global = InputSampling.global.indices(inputShape: [784], dendrites: count, k: 16, rng: &rng)
        var tops = Set<Int>()
        for d in 0..<count {
            let l = local[(d * 16)..<(d * 16 + 16)].map(Int.init)
            let rows = l.map { $0 / 28 }, cols = l.map { $0 % 28 }
            #expect(Set(l).count == 16 && rows.max()! - rows.min()! == 3 && cols.max()! - cols.min()! == 3,
                    "local dendrite \(d) is not a 4x4 patch: \(l)")
            tops.insert(l[0])
            let r = random[(d * 16)..<(d * 16 + 16)].map(Int.init)
            #expect(Set(r).count == 16 && r.allSatisfy { (0..<784).contains($0) } && r == r.sorted())
            // One pixel in each 7x7 cell of a 4x4 grid.
            let cells = Set(global[(d * 16)..<(d * 16 + 16)].map { Int($0) / 28 / 7 * 4 + Int($0) % 28 / 7 })
            #expect(cells.count == 16, "global dendrite \(d) misses a cell")
        }
        #expect(tops.count > 100, "patches should sit at many places, got \(tops.count)")
        // A vector without image geometry: k consecutive inputs.
        let v = InputSampling.local.indices(inputShape: [10], dendrites: 1, k: 3, rng: &rng).map(Int.init)
        #expect(v[1] == v[0] + 1 && v[2] == v[0] + 2)
        // Channels: a 3x3 patch in each of 3 channels for 27 synapses.
        let rgb = InputSampling.local.indices(inputShape: [3, 8, 8], dendrites: 1, k: 27, rng: &rng).map(Int.init)
        #expect(Set(rgb.map { $0 / 64 }) == [0, 1, 2] && Set(rgb).count == 27)
    }

    @Test func synapsesComeFromTheSeedAndDoNotShiftTheWeights() {
        func layer(_ seed: UInt64, _ sampling: InputSampling) -> DendriticLayer {
            var rng = RNG(seed: seed)
            return DendriticLayer(inputShape: [784], somas: 4, dendrites: 2, inputs: 16, sampling: sampling, rng: &rng)
        }
        #expect(layer(3, .random).synapses == layer(3, .random).synapses)
        #expect(layer(3, .random).synapses != layer(4, .random).synapses)
        // The sampler is split off first, so the weights are the same draws whatever the rule.
        #expect(layer(3, .random).dendriteWeight.value == layer(3, .local).dendriteWeight.value)
    }

    @Test func resultsDoNotDependOnTheThreadCount() {
        func run(threads: Int) -> [[UInt32]] {
            let saved = BLAS.threads
            BLAS.threads = threads
            defer { BLAS.threads = saved }
            var rng = RNG(seed: 9)
            let layer = DendriticLayer(inputShape: [1, 28, 28], somas: 16, dendrites: 8, inputs: 16,
                                       sampling: .random, rng: &rng)
            let y = layer.forward(randomTensor([64, 1, 28, 28], seed: 10), training: true)
            let dx = layer.backward(randomTensor([64, 16], seed: 11))
            return [y, dx, layer.dendriteWeight.grad, layer.somaWeight.grad].map { $0.storage.map(\.bitPattern) }
        }
        #expect(run(threads: 1) == run(threads: 2))
    }

    @Test func textFormRoundTripsAndBadFormsSayWhy() {
        for text in ["dendritic 32x8x16 local", "dendritic 4x2x3 random", "dendritic 1x1x1 global"] {
            guard case .success(let spec) = LayerSpec.parse(text) else { Issue.record("\(text) did not parse"); continue }
            #expect(spec.text == text)
        }
        #expect(LayerSpec.parse("dendritic 32 8 16") == .success(.dendritic(somas: 32, dendrites: 8, inputs: 16, sampling: .random)))
        for (bad, says) in [("dendritic 32x8", "three sizes"), ("dendritic 32x8x16 sideways", "unknown sampling"),
                            ("dendritic 32x0x16 local", "must be positive"), ("dendritic 3xax2", "not a whole number")] {
            guard case .failure(let e) = LayerSpec.parse(bad) else { Issue.record("\(bad) parsed"); continue }
            #expect(e.message.contains(says), "\(bad): \(e.message)")
        }
        let tooMany = NetworkSpec(inputShape: [2], layers: [.dendritic(somas: 2, dendrites: 2, inputs: 3, sampling: .random), .dense(1)])
        guard case .failure(let e) = tooMany.inferredShapes() else { Issue.record("k > inputs accepted"); return }
        #expect(e.index == 0 && e.message.contains("at least 3 inputs"))
    }

    @Test func shippedExperimentsDecodeAndSurviveWritingBack() throws {
        let folder = packageRoot().appendingPathComponent("experiments")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("mnist-dann-") }
        #expect(files.count >= 2)
        for f in files {
            let e = try ExperimentLoader.load(contentsOf: folder.appendingPathComponent(f))
            guard case .dendritic(let s, 8, 16, _) = e.network.layers[0] else { Issue.record("\(f): no dendritic layer"); continue }
            #expect(e.network.plainParameterCount == s * 8 * 17 + s * 9 + s * 10 + 10)
            #expect(try ExperimentLoader.decode(yaml: e.yamlText, file: "resolved.yaml") == e)
        }
    }

    static let yaml = """
        name: dann-toy
        dataset: {name: xor, count: 240, noise: 0.05}
        network:
          layers: [dendritic 6x3x1 random, dense 2]
        mode: none
        optimizer: {kind: adam, lr: 0.02}
        epochs: 5
        batch_size: 16
        seed: 3
        """

    /// The dendritic layer under PB and GD growth: the dense layer after it grows
    /// dendrite sets, gradients keep flowing into the somas and dendrites (GD) or stay
    /// out of the frozen parts (PB), and the run ends with an exact parameter count.
    @Test(arguments: ["gd", "pb"])
    func growsDendritesOnTheLayerAfterIt(mode: String) throws {
        var experiment = try ExperimentLoader.decode(yaml: Self.yaml.replacingOccurrences(of: "mode: none", with: """
            mode: \(mode)
            dendrites: {max_dendrites: 2, switch: fixed, fixed_interval: 2, max_p_epochs: 2}
            """), file: "dann-grow.yaml")
        experiment.epochs = 8
        let session = try ExperimentSession(experiment)
        session.trainer.run()
        #expect(session.dendriteSets >= 1, "\(mode): no dendrite set grew")
        let dann = session.network.layers[0] as? DendriticLayer
        #expect(dann != nil)
        let expected = 18 * 2 + 6 * 4 + session.network.layers[1].parameterCount
        #expect(session.network.parameterCount == expected)
        #expect(session.trainer.history.allSatisfy { $0.trainLoss.isFinite })
    }

    @Test func checkpointsRebuildTheSameSynapsesAndResumeBitExactly() throws {
        let experiment = try ExperimentLoader.decode(yaml: Self.yaml, file: "dann-toy.yaml")
        let straight = temporaryFolder("dann-straight")
        defer { try? FileManager.default.removeItem(at: straight) }
        guard case .finished(let a) = try ExperimentRun(experiment: experiment, folder: straight).run() else {
            Issue.record("uninterrupted run did not finish"); return
        }
        // Stopped after epoch 2 and resumed: every epoch's metrics as the straight run's.
        let checkpoints = CheckpointTests()
        let (outcome, resumed) = try checkpoints.stopAndResume(experiment, after: 2)
        #expect(outcome == .stopped(epoch: 2, checkpointEpoch: 2))
        #expect(resumed == (try checkpoints.metricsWithoutSeconds(straight)))
        let ca = try Checkpoint.read(from: straight.appendingPathComponent("checkpoint.safetensors"))
        #expect(ca["layers.0.dendrites.weight"]?.shape == [18, 1])

        // The best model loaded into a freshly built session scores what the run printed:
        // the seed rebuilds the synapses the weights were trained with.
        let best = try Checkpoint.read(from: straight.appendingPathComponent("best.safetensors"))
        let fresh = try ExperimentSession(experiment)
        try TrainingSnapshot.loadParameters(best, into: fresh.network, file: "best.safetensors")
        #expect(Trainer.evaluate(fresh.network, on: fresh.data.test).accuracy == a.testAccuracy)
        var reseeded = experiment
        reseeded.seed = 4
        let other = try ExperimentSession(reseeded)
        let l1 = fresh.network.layers[0] as? DendriticLayer, l2 = other.network.layers[0] as? DendriticLayer
        #expect(l1 != nil && l1?.synapses != l2?.synapses, "another seed should sample other inputs")
    }
}
