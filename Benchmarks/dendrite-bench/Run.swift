import DendriteCore
import Foundation

/// What one (workload, thread count) run measured.
struct Measurement {
    let workload: Workload
    let threads: Int
    let samplesPerSecond: Double
    let bestEpochSamplesPerSecond: Double
    let flopsPerSample: Double
    let sgemmGFlops: Double
    let peakRSSMB: Double?
    let finalLoss: Float
}

/// 60000 random 28x28 "images" (bytes, converted per batch like MNIST) with random
/// labels in 0..<10. Learning them is not the point: the work per step is.
func randomImages(count: Int, seed: UInt64) -> Dataset {
    var rng = RNG(seed: seed)
    var bytes = [UInt8](repeating: 0, count: count * 784)
    for i in 0..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: rng.next() >> 56) }
    var labels = [Int32](repeating: 0, count: count)
    for i in 0..<count { labels[i] = Int32(rng.int(below: 10)) }
    return Dataset(name: "random-28x28", sampleShape: [1, 28, 28],
                   features: .bytes(bytes, scale: 1 / 255, shift: 0), labels: labels, classCount: 10)
}

/// Trains `workload` with the engine's own Network + Trainer (forward, softmax
/// cross-entropy, backward, SGD step per batch), batch 128, lr 0.1, no momentum.
/// A short warm-up on the same network (buffers sized, caches and page tables hot) runs
/// first and is not timed; the timed part is `epochs` full epochs over `train`, each
/// ending with the Trainer's own evaluation on a 128-sample validation set.
func measure(_ workload: Workload, threads: Int, epochs: Int, train: Dataset,
             validation: Dataset, warmupBatches: Int) -> Measurement {
    BLAS.threads = threads
    let sgemm = rawSgemmGFlops()
    let peakIsPerRun = resetPeakRSS()
    var rng = RNG(seed: 42)
    let network = Network(spec: workload.spec, rng: &rng)
    let config = TrainingConfig(batchSize: 128, epochs: epochs, seed: 7, shuffle: true)

    let warmSet = train.subset(Array(0..<(warmupBatches * 128)), name: "warm-up")
    let warm = Trainer(network: network, optimizer: SGD(learningRate: 0.1), train: warmSet,
                       validation: validation, config: TrainingConfig(batchSize: 128, epochs: 1, seed: 3))
    warm.run()

    let trainer = Trainer(network: network, optimizer: SGD(learningRate: 0.1), train: train,
                          validation: validation, config: config)
    var epochSeconds: [Double] = []
    var lastLoss: Float = .nan
    var start = Date()
    let runStart = start
    trainer.onEvent { event in
        switch event {
        case .batchDone(_, _, _, let loss): lastLoss = loss
        case .epochDone:
            let now = Date()
            epochSeconds.append(now.timeIntervalSince(start))
            start = now
        default: break
        }
    }
    trainer.run()
    let total = Date().timeIntervalSince(runStart)
    let samples = Double(train.count)
    return Measurement(
        workload: workload, threads: threads,
        samplesPerSecond: samples * Double(epochs) / total,
        bestEpochSamplesPerSecond: samples / (epochSeconds.min() ?? total),
        flopsPerSample: matmulFlopsPerSample(network),
        sgemmGFlops: sgemm,
        peakRSSMB: peakIsPerRun ? procStatusKB("VmHWM").map { Double($0) / 1024 } : nil,
        finalLoss: lastLoss)
}
