import DendriteCore
import Foundation

/// What one (workload, thread count) run of our engine measured. Codable: a child
/// process of dendrite-bench measures one row and hands it back as one JSON line.
struct Measurement: Codable {
    let workload: String
    let threads: Int
    let samplesPerSecond: Double
    /// Best rate over any `windowBatches` consecutive batches: on a shared machine the
    /// closest this run came to having its cores to itself.
    let bestWindowSamplesPerSecond: Double
    /// Process CPU time / wall time during the timed part (1.0 = one core fully ours).
    let cpuShare: Double
    let flopsPerSample: Double
    let sgemmGFlops: Double
    /// VmHWM of the process that measured this row (dataset included), MB.
    let peakRSSMB: Double?
    let finalLoss: Float
    /// Wall seconds of the timed part per 60000 samples (one epoch's worth).
    let secondsPerEpoch: Double
    /// In a PB dendrite phase: seconds per epoch of the candidates' forward and weight-
    /// gradient products alone (`candidateProductSeconds`), the least a P epoch can cost.
    var candidateProductsSecondsPerEpoch: Double? = nil
}

/// Seconds per epoch (`samples` samples in batches of `batch`) that the candidate layers
/// of `network` take for their two products alone: forward and weight gradient, nothing
/// else of the step (no data fill, frozen network, objective or Adam). Each layer runs on
/// a constant input of its shape; the fastest of 8 windows of 25 batches counts, so this
/// is a floor: what a P epoch would cost if all of its other work were free.
func candidateProductSeconds(_ network: Network, batch: Int, samples: Int) -> Double? {
    var work: [(layer: DendriteBankLayer, x: Tensor, dy: Tensor)] = []
    for (i, layer) in network.layers.enumerated() {
        guard let p = layer as? PerforatedLayer, let c = p.candidateLayer else { continue }
        let inShape = i == 0 ? network.spec.inputShape : network.shapes[i - 1]
        let x = Tensor(shape: [batch] + inShape, repeating: 0.5)
        let out = c.forward(x, training: true)
        work.append((c, x, Tensor(shape: out.shape, repeating: 0.01)))
    }
    guard !work.isEmpty else { return nil }
    func once() { for w in work { _ = w.layer.forward(w.x, training: true); _ = w.layer.backward(w.dy) } }
    for _ in 0..<5 { once() }
    var best = Double.infinity
    for _ in 0..<8 {
        let start = monotonicSeconds()
        for _ in 0..<25 { once() }
        best = min(best, (monotonicSeconds() - start) / 25)
    }
    return best * Double(samples) / Double(batch)
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

/// A Trainer for `workload` in the state the workload times, reached through the
/// Trainer's own dendrite path (`addDendritesNow`, as the Lab's D key does):
/// GD inserts `sets` trainable sets; PB begins and ends a dendrite phase per accepted
/// set, and for a dendrite-phase workload begins one more (the candidates).
/// Switching never fires on its own (mode .never), so the phase stays put while timed.
/// PB trains `DendriteConfig.defaultPool` (4) candidates per neuron, as experiments do.
func makeTrainer(_ workload: Workload, train: Dataset, validation: Dataset, epochs: Int) -> Trainer {
    var rng = RNG(seed: 42)
    let network = Network(spec: workload.spec, rng: &rng)
    let config = TrainingConfig(batchSize: 128, epochs: epochs, seed: 7, shuffle: true)
    let dendrites = DendriteConfig(switchMode: .never, inputs: workload.inputs)
    let mode: DendriteMode
    switch workload.dendrites {
    case .none: mode = .none
    case .gd: mode = .gd
    case .pbDendritePhase, .pbNeuronPhase: mode = .pb
    }
    let trainer = Trainer(network: network, optimizer: SGD(learningRate: 0.1), train: train,
                          validation: validation, config: config, mode: mode, dendrites: dendrites)
    switch workload.dendrites {
    case .none:
        break
    case .gd:
        for _ in 0..<workload.sets { trainer.addDendritesNow() }
    case .pbNeuronPhase:
        for _ in 0..<workload.sets { trainer.addDendritesNow(); trainer.addDendritesNow() }
    case .pbDendritePhase:
        for _ in 0..<(workload.sets - 1) { trainer.addDendritesNow(); trainer.addDendritesNow() }
        trainer.addDendritesNow()
    }
    precondition(network.perforatedLayers.allSatisfy {
        $0.dendrites.count == workload.sets - (workload.dendrites == .pbDendritePhase ? 1 : 0)
    }, "\(workload.name): dendrite setup went wrong")
    precondition((trainer.phase == .dendrite) == (workload.dendrites == .pbDendritePhase),
                 "\(workload.name): wrong phase")
    return trainer
}

/// Trains `workload` with the engine's own Network + Trainer (forward, softmax
/// cross-entropy, backward, SGD step per batch, or in a PB dendrite phase the
/// CandidateTrainer's Adam step), batch 128, lr 0.1, no momentum. The first
/// `warmupBatches` batches of the first epoch are not timed (buffers sized, caches and
/// page tables hot); the timed part runs from there to the end of `epochs` epochs,
/// including each epoch's end (the Trainer's evaluation on 128 validation samples and,
/// in a dendrite phase, the candidates' correlation measurement on 1024 samples).
func measure(_ workload: Workload, threads: Int, epochs: Int, train: Dataset,
             validation: Dataset, warmupBatches: Int, windowBatches: Int = 50) -> Measurement {
    BLAS.threads = threads
    CorePinning.pinTrainingThreads()   // as `train` does
    let trainer = makeTrainer(workload, train: train, validation: validation, epochs: epochs)
    let warm = min(warmupBatches, trainer.batchesPerEpoch - 1)
    for _ in 0..<warm { trainer.stepBatch() }
    let flops = matmulFlopsPerSample(trainer.network)

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
    // Exactly `epochs` epochs of the phase set up (the budget counts N epochs only, so
    // `run()` would go on past a dendrite phase).
    for _ in 0..<epochs { trainer.runEpoch() }
    let total = monotonicSeconds() - runStart
    let cpu = processCPUSeconds() - cpuStart
    // After the row, not before: OpenBLAS's own threads keep spinning on the second core
    // for a while after a threaded call, which would slow our helper thread while timed.
    let sgemm = rawSgemmGFlops()
    let floor = workload.dendrites == .pbDendritePhase
        ? candidateProductSeconds(trainer.network, batch: 128, samples: train.count) : nil
    var bestWindow = Double.infinity
    if batchEnds.count > windowBatches {
        for i in windowBatches..<batchEnds.count { bestWindow = min(bestWindow, batchEnds[i] - batchEnds[i - windowBatches]) }
    }
    let samples = Double(train.count * epochs - warm * 128)
    return Measurement(
        workload: workload.name, threads: threads,
        samplesPerSecond: samples / total,
        bestWindowSamplesPerSecond: Double(windowBatches * 128) / bestWindow,
        cpuShare: cpu / total,
        flopsPerSample: flops,
        sgemmGFlops: sgemm,
        peakRSSMB: procStatusKB("VmHWM").map { Double($0) / 1024 },
        finalLoss: lastLoss,
        secondsPerEpoch: total / samples * Double(train.count),
        candidateProductsSecondsPerEpoch: floor)
}
