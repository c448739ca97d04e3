#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Batch size, epoch count and seed of a training run.
public struct TrainingConfig: Codable, Equatable, Sendable {
    public var batchSize: Int
    public var epochs: Int
    public var seed: UInt64
    public var shuffle: Bool

    public init(batchSize: Int = 32, epochs: Int = 10, seed: UInt64 = 1, shuffle: Bool = true) {
        self.batchSize = batchSize
        self.epochs = epochs
        self.seed = seed
        self.shuffle = shuffle
    }
}

/// Loss and accuracy of a network on a dataset.
public struct Evaluation: Equatable, Sendable {
    public var loss: Float
    public var accuracy: Float
}

/// Runs the optimisation loop. It can be advanced one batch at a time (the Lab's step
/// button), one epoch at a time, or to completion; every step reports through `events`.
///
/// With dendrites (`dendriteMode` gd or pb) it also runs the cycle of design.md 2.2:
/// once per epoch the `SwitchTracker` sees the validation score and decides; the trainer
/// snapshots the best model, restores it before every switch, adds dendrite sets (PB:
/// through a dendrite phase of `CandidateTrainer`), resets the optimizer, and restores
/// the best model at the end. Both phases can be stepped one batch at a time.
public final class Trainer {
    public let network: Network
    public let optimizer: Optimizer
    public let train: Dataset
    public let validation: Dataset
    public let config: TrainingConfig
    public var schedule: LRSchedule

    /// Epochs completed so far (set when restoring a checkpoint).
    public internal(set) var epoch = 0
    /// Batches completed within the current epoch.
    public private(set) var batchInEpoch = 0
    public internal(set) var history: [EpochMetrics] = []
    /// Current PB phase (always N for none and GD): the switch tracker's.
    public var phase: Phase { tracker.phase }
    /// Whether dendrites take part, and how (none, GD, PB).
    public let dendriteMode: DendriteMode
    public let dendriteConfig: DendriteConfig
    public internal(set) var tracker: SwitchTracker
    /// The running dendrite phase, if any.
    public internal(set) var candidates: CandidateTrainer?
    /// Epochs spent in the current dendrite phase.
    public internal(set) var dendritePhaseEpochs = 0
    /// Neuron-phase (N) and dendrite-phase (P) epochs finished so far. `config.epochs`
    /// budgets N epochs; P phases are bounded on their own (by `maxDendritePhaseEpochs`).
    public var neuronEpochs: Int { history.last?.neuronEpochs ?? 0 }
    public var dendriteEpochs: Int { history.last?.dendriteEpochs ?? 0 }
    /// The learning-rate trial after a PB switch, while it runs.
    var learningRateTrial: LearningRateTrial?
    /// The optimizer's rate when training started: the "original" rate of that trial.
    var initialLearningRate: Float = 0
    /// True once the switching rule (or the epoch budget) ended training, or training diverged.
    public internal(set) var stopped = false
    /// Set when a batch produced a non-finite loss or parameter; training then refuses to
    /// step (the weights are garbage). The last good state is the caller's last checkpoint.
    public private(set) var divergence: Divergence?
    /// Draws new dendrites; separate from the shuffling stream.
    public var dendriteRNG: RNG
    var best: NetworkSnapshot?
    var bestEpoch = 0
    /// The rate training went on with after the best epoch (the schedule's next rate):
    /// restoring the best model restores it too. A learning-rate trial may have chosen a
    /// decayed rate for a later model that the switching rule then rejected; the best
    /// model trained on at that rate learned ten times slower than it had.
    var bestLearningRate: Float?
    /// Best weights (and score) since the architecture last changed.
    var architectureBest: NetworkSnapshot?
    var architectureBestScore: Float = -.infinity
    var dendritePhaseValidation: Evaluation?
    var evaluationSubset: Dataset?

    /// Shuffling stream; part of a checkpoint so a resumed run sees the same order.
    public var rng: RNG
    /// Sample order of the last epoch; each epoch shuffles it further, so checkpoints keep it.
    var order: [Int] { didSet { prefetch.discard() } }
    let prefetch = BatchPrefetch()
    /// Off: every batch is filled at the start of its step (tests compare the two).
    var prefetchesBatches = true
    private var loss = SoftmaxCrossEntropy()
    private var x = Tensor.empty
    private var y: [Int32] = []
    private var lossSum: Double = 0
    private var correct = 0
    private var seen = 0
    private var epochStart = Date()

    private var listeners: [(TrainingEvent) -> Void] = []

    public init(network: Network, optimizer: Optimizer, train: Dataset, validation: Dataset,
                config: TrainingConfig, schedule: LRSchedule = .constant,
                mode: DendriteMode = .none, dendrites: DendriteConfig = DendriteConfig()) {
        // Invariant: sessions are built by `ExperimentSession`, whose
        // `Experiment.validate(against:)` refuses empty splits and batch sizes below 1.
        precondition(train.count > 0, "training set \(train.name) is empty")
        precondition(config.batchSize > 0, "batch size must be positive")
        self.network = network
        self.optimizer = optimizer
        self.train = train
        self.validation = validation
        self.config = config
        self.schedule = schedule
        self.rng = RNG(seed: config.seed ^ 0x5EED_0F_DA7A)
        self.order = Array(0..<train.count)
        self.dendriteMode = mode
        self.dendriteConfig = dendrites
        self.tracker = SwitchTracker(config: dendrites.trackerConfig(mode: mode))
        self.dendriteRNG = RNG(seed: config.seed ^ 0xDE_4D_2173)
        self.initialLearningRate = optimizer.learningRate
        if mode != .none {
            network.perforate(mode: mode, activation: dendrites.activation, inputs: dendrites.inputs,
                              layers: dendrites.layers, somaInputs: dendrites.somaInputs,
                              statisticsRate: dendrites.statisticsRate, errorSignal: dendrites.errorSignal,
                              outputLearningRateScale: dendrites.outputLearningRateScale)
        }
    }

    /// Subscribes to events (called synchronously on the training thread).
    public func onEvent(_ listener: @escaping (TrainingEvent) -> Void) {
        listeners.append(listener)
    }

    public func emit(_ event: TrainingEvent) {
        for l in listeners { l(event) }
    }

    public var batchesPerEpoch: Int { Batches(samples: train.count, size: config.batchSize).batchCount }
    /// True once `config.epochs` neuron-phase epochs are done or training stopped.
    public var isFinished: Bool { neuronEpochs >= config.epochs || stopped }

    /// How a step places its batch, from the network's first neuron layer (with its
    /// dendrites and candidates) and whether it cuts a batch of `batch` over several cores.
    ///
    /// `splitFill`: only a first layer that splits is worth filling the batch on several
    /// cores; one that multiplies it on one core would read the other core's rows
    /// (measured on the 784-8-10 MLP at two threads: 0.80-1.39 million samples/s with the
    /// split fill, 1.45-1.57 with one).
    ///
    /// `prefetchAfter`: the layer after whose forward the next batch is filled on a helper
    /// core (`BatchPrefetch`): that first layer when it is dense and splits its product.
    /// The fill then overlaps the unsplit work after it (in the MNIST MLP: ReLU, the output
    /// layer, the loss); a later split layer would wait for the fill to end first.
    /// A convolutional network fills on every core as before: its next layers split too,
    /// and each worker's chunk of the batch is the rows it filled.
    private func batchPlacement(batch: Int) -> (splitFill: Bool, prefetchAfter: Int?) {
        for (i, layer) in network.layers.enumerated() {
            let neurons: NeuronLayer, splits: Bool
            if let p = layer as? PerforatedLayer {
                (neurons, splits) = (p.neuron, p.splitsWork(batch: batch))
            } else if let n = layer as? NeuronLayer {
                (neurons, splits) = (n, n.splitsWork(batch: batch))
            } else {
                continue
            }
            return (splits, prefetchesBatches && splits && neurons is Dense ? i : nil)
        }
        return (true, nil)
    }

    /// Starts filling batch `next` of this epoch on a helper, when there is one.
    private func prefetchBatch(_ next: Int) {
        guard next < batchesPerEpoch else { return }
        let range = Batches(samples: train.count, size: config.batchSize).range(next)
        _ = prefetch.start(train, indices: order[range], epoch: epoch, batch: next)
    }

    /// Runs one optimisation step on the next batch; finishes the epoch (evaluation,
    /// `epochDone`) when that batch was its last. Returns the batch's mean loss.
    /// After a divergence (`divergence` set) it does nothing and returns NaN.
    @discardableResult
    public func stepBatch() -> Float {
        guard divergence == nil else { return .nan }
        if batchInEpoch == 0 {
            growFirstBranchesIfBlind()
            beginEpoch()
        }
        let batch = Batches(samples: train.count, size: config.batchSize).range(batchInEpoch)
        let placement = batchPlacement(batch: batch.count)
        if !prefetch.take(epoch: epoch, batch: batchInEpoch, into: &x, labels: &y) {
            train.fill(indices: order[batch], into: &x, labels: &y, parallel: placement.splitFill)
        }
        let fillAfter = placement.prefetchAfter, next = batchInEpoch + 1
        let logits = network.forward(x, training: true) { if $0 == fillAfter { self.prefetchBatch(next) } }
        let l = loss.forward(logits: logits, labels: y[...])
        network.backward(loss.gradient)
        let parameters = network.parameters
        if let candidates, phase == .dendrite {
            candidates.step()
        } else {
            optimizer.step(parameters)
        }
        // Caught in the batch that went non-finite, before any checkpoint could hold it.
        // In a PB dendrite phase the candidates are what learns: check them too.
        var checked = parameters
        if phase == .dendrite, let candidates { checked += candidates.layers.flatMap(\.candidateParameters) }
        if let d = Divergence.check(loss: l, parameters: checked, epoch: epoch + 1, batch: batchInEpoch + 1) {
            divergence = d
            stopped = true
            emit(.diverged(epoch: d.epoch, batch: d.batch, layer: d.layer, message: d.message))
            return l
        }
        lossSum += Double(l) * Double(batch.count)
        for (p, t) in zip(loss.predictions, y) where p == t { correct += 1 }
        seen += batch.count
        batchInEpoch += 1
        emit(.batchDone(epoch: epoch + 1, batch: batchInEpoch - 1, batchesPerEpoch: batchesPerEpoch, loss: l))
        if batchInEpoch == batchesPerEpoch { finishEpoch() }
        return l
    }

    /// Runs batches until the current epoch is complete (or training diverged).
    public func runEpoch() {
        repeat { stepBatch() } while batchInEpoch != 0 && divergence == nil
    }

    /// Runs until `config.epochs` neuron-phase epochs are done (or training stopped).
    public func run() {
        while !isFinished { runEpoch() }
    }

    private func beginEpoch() {
        if config.shuffle { rng.shuffle(&order) }
        lossSum = 0
        correct = 0
        seen = 0
        epochStart = Date()
    }

    private func finishEpoch() {
        batchInEpoch = 0
        epoch += 1
        // In a PB dendrite phase the network's function is frozen (candidates do not touch
        // its outputs), so validation is measured once per phase and reused.
        let v: Evaluation
        if phase == .dendrite, let cached = dendritePhaseValidation {
            v = cached
        } else {
            v = evaluate(validation)
            if phase == .dendrite { dendritePhaseValidation = v }
        }
        let m = EpochMetrics(
            epoch: epoch, phase: phase, dendrites: network.dendriteCount, parameters: network.parameterCount,
            trainLoss: Float(lossSum / Double(max(seen, 1))),
            trainAccuracy: Float(correct) / Float(max(seen, 1)),
            validationLoss: v.loss, validationAccuracy: v.accuracy,
            learningRate: optimizer.learningRate,
            seconds: Date().timeIntervalSince(epochStart),
            neuronEpochs: neuronEpochs + (phase == .neuron ? 1 : 0),
            dendriteEpochs: dendriteEpochs + (phase == .dendrite ? 1 : 0))
        history.append(m)
        optimizer.learningRate = schedule.next(rate: optimizer.learningRate, epoch: epoch,
                                               validationLoss: v.loss)
        emit(.epochDone(m))
        if dendriteMode != .none { applySwitchingRule(m) }
    }

    /// Loss and accuracy on `data`, in evaluation mode, in batches of `config.batchSize`.
    public func evaluate(_ data: Dataset) -> Evaluation {
        Trainer.evaluate(network, on: data, batchSize: max(config.batchSize, 256))
    }

    public static func evaluate(_ network: Network, on data: Dataset, batchSize: Int = 256) -> Evaluation {
        guard data.count > 0 else { return Evaluation(loss: .nan, accuracy: .nan) }
        var loss = SoftmaxCrossEntropy()
        var total: Double = 0
        var correct = 0
        data.forEachBatch(size: batchSize) { x, y in
            let logits = network.forward(x, training: false)
            total += Double(loss.forward(logits: logits, labels: y[...])) * Double(y.count)
            for (p, t) in zip(loss.predictions, y) where p == t { correct += 1 }
        }
        return Evaluation(loss: Float(total / Double(data.count)), accuracy: Float(correct) / Float(data.count))
    }
}
