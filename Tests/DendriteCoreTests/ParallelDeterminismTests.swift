import Foundation
import Testing
@testable import DendriteCore

/// Two threads on layers big enough to be split (`Parallel`): a fixed thread count gives
/// the same bits every run, and the dendrite arithmetic gives the same bits as one thread
/// (its loops split samples or neurons, never a sum).
@Suite struct ParallelDeterminismTests {
    /// Runs `body` with `BLAS.threads` set to `threads`.
    static func with<R>(threads: Int, _ body: () -> R) -> R {
        let saved = BLAS.threads
        BLAS.threads = threads
        defer { BLAS.threads = saved }
        return body()
    }

    static func bits(_ tensors: [Tensor]) -> [[UInt64]] { tensors.map { $0.storage.map { UInt64($0.bitPattern) } } }

    /// A Conv2D(3 -> 8, k 3, padding 1) perforated layer on 12x12 maps, batch 64: every
    /// dendrite kernel is above `Parallel.forRanges`' threshold.
    static func layer(mode: DendriteMode, sets: Int, seed: UInt64) -> PerforatedLayer {
        var rng = RNG(seed: seed)
        let conv = Conv2D(inputChannels: 3, outputChannels: 8, kernel: 3, padding: 1, rng: &rng, name: "layers.0")
        let layer = PerforatedLayer(wrapping: conv, name: "layers.0", mode: mode)
        layer.propagatesGradient = true
        for _ in 0..<sets { layer.addDendriteSet(rng: &rng, scale: 0.5) }
        for s in layer.dendrites {
            for i in 0..<s.output.count { s.output.value[i] = rng.uniform(-1, 1) }
        }
        return layer
    }

    /// GD: forward (cascade, A sums) and backward (dA, dK, dz, dx) of two sets.
    static func gdStep(threads: Int) -> [[UInt64]] {
        with(threads: threads) {
            let l = layer(mode: .gd, sets: 2, seed: 3)
            let y = l.forward(randomTensor([64, 3, 12, 12], seed: 4), training: true)
            let dx = l.backward(randomTensor(y.shape, seed: 5))
            return bits([y, dx] + l.parameters.map(\.grad))
        }
    }

    /// PB dendrite phase with one accepted set and a pool of 4: candidate forward, error
    /// moments, correlation objective and candidate backward. Returns the bits, and the
    /// candidates' gradients once more from the fused backward (coefficients, no dV).
    static func pbStep(threads: Int) -> (bits: [[UInt64]], fused: [[UInt64]]) {
        with(threads: threads) {
            let l = layer(mode: .pb, sets: 1, seed: 6)
            var rng = RNG(seed: 7)
            l.beginCandidate(rng: &rng, scale: 0.5, pool: 4)
            let y = l.forward(randomTensor([64, 3, 12, 12], seed: 8), training: true)
            _ = l.backward(randomTensor(y.shape, seed: 9))
            let c = l.neuronCount * l.poolSize
            var state = CorrelationObjective.State(channels: c, rate: 0.1, seededError: nil)
            var grad = Tensor(shape: l.poolOutput.shape)
            var coef = [Float](repeating: 0, count: 3 * c)
            let scores = l.poolOutput.withUnsafeBufferPointer { v in
                l.errors.withUnsafeBufferPointer { e in
                    grad.withUnsafeMutableBufferPointer { g in
                        coef.withUnsafeMutableBufferPointer { cp in
                            CorrelationObjective.update(state: &state, v: v, e: e, batch: 64, channels: c, spatial: 144,
                                                        errorChannels: l.neuronCount, gradient: g, coefficients: cp,
                                                        gradientScale: -1)
                        }
                    }
                }
            }
            l.backwardCandidate(grad)
            let moments = l.errorStatistics.mean + l.errorStatistics.variance + scores + state.covariance
            let out = bits([l.poolOutput, grad] + l.candidateParameters.map(\.grad)) + [moments.map(\.bitPattern)]
            coef.withUnsafeBufferPointer { l.backwardCandidate(objective: $0.baseAddress!) }
            return (out, bits(l.candidateParameters.map(\.grad)))
        }
    }

    @Test func dendriteConvLayersGiveTheSameBitsAtOneAndTwoThreads() {
        let gd = Self.gdStep(threads: 2)
        #expect(gd == Self.gdStep(threads: 2))
        #expect(gd == Self.gdStep(threads: 1))
        let pb = Self.pbStep(threads: 2)
        #expect(pb.bits == Self.pbStep(threads: 2).bits)
        #expect(pb.bits == Self.pbStep(threads: 1).bits)
        // The fused backward (coefficients against the untiled E) gives the bits of dV's.
        let unfused = Array(pb.bits[2..<(2 + pb.fused.count)])
        #expect(pb.fused == unfused)
        #expect(Self.pbStep(threads: 1).fused == unfused)
    }

    /// The batch is filled on several cores only for a first layer that splits its product:
    /// the MNIST MLP's 784x128 layer does at two threads, the narrow 784x8 one does not, and
    /// neither does at one thread. Either way the batch holds the same values.
    @Test func batchFillIsSplitOnlyWhenTheFirstLayerSplits() {
        var rng = RNG(seed: 3)
        let wide = Dense(inputSize: 784, outputSize: 128, rng: &rng)
        let narrow = Dense(inputSize: 784, outputSize: 8, rng: &rng)
        // Worker counts fixed per layer: other tests of this suite change BLAS.threads meanwhile.
        wide.workerOverride = 2
        narrow.workerOverride = 2
        #expect(wide.splitsWork(batch: 128))
        #expect(!narrow.splitsWork(batch: 128))
        wide.workerOverride = 1
        #expect(!wide.splitsWork(batch: 128))

        let bytes = (0..<(300 * 784)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }
        let data = Dataset(name: "bytes", sampleShape: [784], features: .bytes(bytes, scale: 1 / 255, shift: -0.5),
                           labels: (0..<300).map { Int32($0 % 10) }, classCount: 10)
        let order = (0..<300).map { ($0 * 97) % 300 }
        var split = Tensor.empty, serial = Tensor.empty, ls: [Int32] = [], lr: [Int32] = []
        Self.with(threads: 2) {
            data.fill(indices: order[10..<266], into: &split, labels: &ls, parallel: true)
            data.fill(indices: order[10..<266], into: &serial, labels: &lr, parallel: false)
        }
        #expect(split.shape == [256, 784] && Self.bits([split]) == Self.bits([serial]) && ls == lr)
        #expect(serial[5 * 784 + 17] == Float(bytes[order[15] * 784 + 17]) * (1 / 255) - 0.5)
    }

    /// A 784-128-10 MLP whose first layer splits over two workers fills each next batch on
    /// a helper while the step's small layers run (`BatchPrefetch`): two epochs give the
    /// same bits as filling every batch at the start of its step, and the prefetched
    /// batches were the ones used (all but each epoch's first).
    @Test func prefetchedBatchesTrainToTheBitsOfBatchesFilledInTheirStep() {
        let bytes = (0..<(700 * 784)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 9) }
        let data = Dataset(name: "bytes", sampleShape: [784], features: .bytes(bytes, scale: 1 / 255, shift: -0.5),
                           labels: (0..<700).map { Int32($0 * 7 % 10) }, classCount: 10)
        func run(prefetch: Bool) -> (bits: [[UInt64]], taken: Int) {
            Self.with(threads: 2) {
                var rng = RNG(seed: 5)
                let net = Network(spec: NetworkSpec(inputShape: [784], layers: [.dense(128), .relu, .dense(10)]), rng: &rng)
                // Invariant: the spec's first layer is a Dense.
                let first = net.layers.compactMap { $0 as? Dense }.first!
                first.workerOverride = 2
                let t = Trainer(network: net, optimizer: SGD(learningRate: 0.1, momentum: 0.9), train: data,
                                validation: data, config: TrainingConfig(batchSize: 128, epochs: 2, seed: 3))
                t.prefetchesBatches = prefetch
                t.run()
                return (Self.bits(net.parameters.map(\.value)), t.prefetch.taken)
            }
        }
        let filled = run(prefetch: false)
        #expect(filled.taken == 0)
        // 6 batches an epoch (the last of 60 samples), each epoch's first filled in its step.
        // Tests running at once hold the shared pool now and then, and a batch whose helper
        // is busy is filled in its step: run again until every batch was prefetched. Every
        // run, whatever it prefetched, must give the same bits.
        var prefetched = run(prefetch: true), runs = 1
        while prefetched.taken < 2 * 5 && runs < 40 {
            let same = prefetched.bits == filled.bits
            #expect(same, "weights differ after two epochs with \(prefetched.taken) batches prefetched")
            prefetched = run(prefetch: true)
            runs += 1
        }
        #expect(prefetched.taken == 2 * 5, "\(runs) runs")
        let same = prefetched.bits == filled.bits
        #expect(same, "weights differ after two epochs")
    }

    /// How often each share of each thread's regions ran: [thread * 3 + share].
    final class Tally: @unchecked Sendable {
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 6)
        init() { counts.initialize(repeating: 0, count: 6) }
        deinit { counts.deallocate() }
    }

    /// Two threads start regions at once: one gets the pool, the other runs its shares
    /// itself; either way every share of every region runs exactly once.
    @Test func everyShareRunsOnceWhileTwoThreadsCompeteForThePool() {
        let tally = Tally(), rounds = 2000
        DispatchQueue.concurrentPerform(iterations: 2) { t in
            for _ in 0..<rounds {
                Parallel.run(3) { share in tally.counts[t * 3 + share] += 1 }
            }
        }
        #expect((0..<6).map { tally.counts[$0] } == [Int](repeating: rounds, count: 6))
    }

    /// `forEachPiece` runs every piece exactly once for any worker count, both when the
    /// pieces fit its one-word claim mask (own block first) and when they do not (shared
    /// counter), and a worker whose share is empty still takes part.
    @Test func everyPieceRunsOnceOnEitherClaimPath() {
        for pieces in [1, 2, 3, 7, 63, 64, 130] {
            for workers in 1...3 {
                let counts = UnsafeMutablePointer<Int>.allocate(capacity: pieces)
                counts.initialize(repeating: 0, count: pieces)
                defer { counts.deallocate() }
                Self.with(threads: 3) {
                    for _ in 0..<50 { Parallel.forEachPiece(pieces, workers: workers) { _, p in counts[p] += 1 } }
                }
                #expect((0..<pieces).allSatisfy { counts[$0] == 50 }, "pieces \(pieces), workers \(workers)")
            }
        }
    }

    /// A CNN whose Dense(512 -> 128) is split over two workers, trained three SGD steps
    /// twice: the same bits.
    @Test func splitNetworkTrainsToTheSameBitsTwiceAtTwoThreads() {
        func run() -> [[UInt64]] {
            Self.with(threads: 2) {
                var rng = RNG(seed: 11)
                let spec = NetworkSpec(inputShape: [1, 16, 16], layers: [
                    .conv2d(filters: 8, kernel: 3, stride: 1, padding: 1), .relu, .maxPool(2),
                    .flatten, .dense(128), .relu, .dense(10),
                ])
                let net = Network(spec: spec, rng: &rng)
                let dense = net.layers.compactMap { $0 as? Dense }.first!
                #expect(64 * dense.inputSize * dense.outputSize >= Dense.splitThreshold)
                dense.workerOverride = 2
                let sgd = SGD(learningRate: 0.1, momentum: 0.9)
                var loss = SoftmaxCrossEntropy()
                for step in 0..<3 {
                    let x = randomTensor([64, 1, 16, 16], seed: 20 + UInt64(step))
                    let labels = (0..<64).map { Int32(($0 * 7 + step) % 10) }
                    _ = loss.forward(logits: net.forward(x, training: true), labels: labels[...])
                    net.backward(loss.gradient)
                    sgd.step(net.parameters)
                }
                return Self.bits(net.parameters.map(\.value))
            }
        }
        #expect(run() == run())
    }
}
