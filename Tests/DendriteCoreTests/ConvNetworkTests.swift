import Testing
@testable import DendriteCore

@Suite struct ConvNetworkTests {
    /// 8x8 images holding one bar, horizontal (class 0) or vertical (class 1), of random
    /// position and length, on faint noise.
    static func bars(count: Int, seed: UInt64) -> Dataset {
        var rng = RNG(seed: seed)
        var features = [Float](), labels = [Int32]()
        for i in 0..<count {
            let vertical = i % 2 == 1
            var image = (0..<64).map { _ in 0.3 * rng.uniform() }
            let line = rng.int(below: 8), from = rng.int(below: 4), length = 3 + rng.int(below: 5)
            for t in from..<min(8, from + length) {
                image[vertical ? t * 8 + line : line * 8 + t] = 1
            }
            features += image
            labels.append(vertical ? 1 : 0)
        }
        return Dataset(name: "bars", sampleShape: [1, 8, 8], features: .float(features),
                       labels: labels, classCount: 2)
    }

    static let cnn = NetworkSpec(inputShape: [1, 8, 8], layers: [
        .conv2d(filters: 4, kernel: 3, stride: 1, padding: 1), .relu, .maxPool(2), .flatten, .dense(2),
    ])

    @Test func smallCNNLearnsBarOrientation() {
        var rng = RNG(seed: 1)
        let (train, val) = Self.bars(count: 600, seed: 2).split(validationFraction: 0.25, rng: &rng)
        let net = Network(spec: Self.cnn, rng: &rng)
        let trainer = Trainer(network: net, optimizer: Adam(learningRate: 0.01), train: train,
                              validation: val, config: TrainingConfig(batchSize: 16, epochs: 8, seed: 3))
        trainer.run()
        let acc = trainer.history.last!.validationAccuracy
        #expect(acc >= 0.97, "validation accuracy \(acc)")
    }

    @Test func specBuildsConvAndPoolLayersWithTheirShapes() {
        var rng = RNG(seed: 1)
        let spec = NetworkSpec(inputShape: [3, 9, 9], layers: [
            .conv2d(filters: 6, kernel: 3, stride: 2, padding: 1), .relu, .maxPool(2),
            .conv2d(filters: 5, kernel: 2, stride: 1, padding: 0), .flatten, .dense(4),
        ])
        let net = Network(spec: spec, rng: &rng)
        #expect(net.shapes == [[6, 5, 5], [6, 5, 5], [6, 2, 2], [5, 1, 1], [5], [4]])
        let conv = net.layers[0] as? Conv2D
        #expect(conv?.inputChannels == 3 && conv?.outputChannels == 6)
        #expect(conv?.kernel == 3 && conv?.stride == 2 && conv?.padding == 1)
        #expect((net.layers[2] as? MaxPool2D)?.size == 2)
        #expect(net.parameterCount == (6 * 27 + 6) + (5 * 24 + 5) + (4 * 5 + 4))
        let y = net.forward(randomTensor([2, 3, 9, 9], seed: 1), training: false)
        #expect(y.shape == [2, 4])
    }

    @Test func layersBeforeTheFirstWeightsSkipInputGradients() {
        var rng = RNG(seed: 1)
        let net = Network(spec: NetworkSpec(inputShape: [1, 4, 4],
                                            layers: [.flatten, .dense(3), .relu, .dense(2)]), rng: &rng)
        #expect(net.layers.map(\.propagatesGradient) == [false, false, true, true])
    }

    @Test func trainingStepsReuseEveryLayersBuffers() {
        // Steady state must not reallocate: every layer's output, and every gradient
        // passed down, lives at the same address from one step to the next. (A layer that
        // kept its input alive would force a copy-on-write in the layer before it.)
        var rng = RNG(seed: 4)
        let spec = NetworkSpec(inputShape: [2, 8, 8], layers: [
            .conv2d(filters: 3, kernel: 3, stride: 1, padding: 1), .relu, .maxPool(2),
            .conv2d(filters: 4, kernel: 3, stride: 1, padding: 1), .tanh, .flatten,
            .dense(5), .relu, .dense(3),
        ])
        let net = Network(spec: spec, rng: &rng)
        var loss = SoftmaxCrossEntropy()
        let labels: [Int32] = [0, 1, 2, 1]
        func address(_ t: Tensor) -> UInt { t.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        func step(_ seed: UInt64) -> [UInt] {
            var seen: [UInt] = []
            var h = randomTensor([4, 2, 8, 8], seed: seed)
            for l in net.layers { h = l.forward(h, training: true); seen.append(address(h)) }
            _ = loss.forward(logits: h, labels: labels[...])
            h = .empty
            var g = loss.gradient
            for l in net.layers.reversed() {
                g = l.backward(g)
                if g.count > 0 { seen.append(address(g)) }
            }
            return seen
        }
        _ = step(1)
        let a = step(2), b = step(3)
        #expect(a.count == 9 + 8)
        #expect(a == b)
    }
}
