import DendriteCore
import Foundation

/// What one (workload, thread count) run measured.
struct Measurement {
    let workload: Workload
    let threads: Int
    let samplesPerSecond: Double
    /// Best rate over any `windowBatches` consecutive batches: on a shared machine the
    /// closest this run came to having its cores to itself.
    let bestWindowSamplesPerSecond: Double
    /// Process CPU time / wall time during the timed part (1.0 = one core fully ours).
    let cpuShare: Double
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
             validation: Dataset, warmupBatches: Int, windowBatches: Int = 50) -> Measurement {
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
    var batchEnds: [Double] = []
    batchEnds.reserveCapacity(trainer.batchesPerEpoch * epochs + 1)
    var lastLoss: Float = .nan
    trainer.onEvent { event in
        if case .batchDone(_, _, _, let loss) = event {
            batchEnds.append(monotonicSeconds())
            lastLoss = loss
        }
    }
    let cpuStart = processCPUSeconds()
    let runStart = monotonicSeconds()
    batchEnds.append(runStart)
    trainer.run()
    let total = monotonicSeconds() - runStart
    let cpu = processCPUSeconds() - cpuStart
    var bestWindow = Double.infinity
    if batchEnds.count > windowBatches {
        for i in windowBatches..<batchEnds.count { bestWindow = min(bestWindow, batchEnds[i] - batchEnds[i - windowBatches]) }
    }
    let samples = Double(train.count)
    return Measurement(
        workload: workload, threads: threads,
        samplesPerSecond: samples * Double(epochs) / total,
        bestWindowSamplesPerSecond: Double(windowBatches * config.batchSize) / bestWindow,
        cpuShare: cpu / total,
        flopsPerSample: matmulFlopsPerSample(network),
        sgemmGFlops: sgemm,
        peakRSSMB: peakIsPerRun ? procStatusKB("VmHWM").map { Double($0) / 1024 } : nil,
        finalLoss: lastLoss)
}
