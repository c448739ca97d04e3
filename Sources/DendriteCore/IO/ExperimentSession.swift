import Foundation

/// Training, validation and test sets prepared as an experiment asks.
public struct ExperimentData: Sendable {
    public var train: Dataset
    public var validation: Dataset
    public var test: Dataset

    public init(train: Dataset, validation: Dataset, test: Dataset) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// Generates (toy) or loads (image sets) the data of `spec`. Everything random is
    /// derived from `seed`, so two runs with the same seed see the same samples and split.
    public static func load(_ spec: Experiment.DatasetSpec, seed: UInt64) throws -> ExperimentData {
        var splitRNG = RNG(seed: seed ^ 0x5B11_7000_0000_0001)
        if let kind = spec.name.toyKind {
            let all = ToyData.make(kind, count: spec.count, noise: spec.noise, seed: seed)
            let test = ToyData.make(kind, count: spec.testCount, noise: spec.noise, seed: seed &+ 0x7E57)
            let (train, val) = all.split(validationFraction: spec.validationFraction, rng: &splitRNG)
            return ExperimentData(train: train, validation: val, test: test.subset(Array(0..<test.count), name: kind.rawValue + "/test"))
        }
        guard let real = RealDataset(rawValue: spec.name.rawValue) else {
            throw ExperimentDataError("dataset \(spec.name.rawValue) has no loader")
        }
        let store = DatasetStore()
        let directory = store.directory(for: real, override: spec.directory)
        let strategy: Normalization.Strategy
        switch spec.normalization {
        case .none, .unit: strategy = .unitRange
        case .standard: strategy = .measured
        case .published: strategy = .published
        }
        var (all, test) = try RealData.load(real, directory: directory, normalization: strategy)
        if spec.normalization == .none {
            all = all.normalized(Normalization(scale: 1, shift: 0))
            test = test.normalized(Normalization(scale: 1, shift: 0))
        }
        if let limit = spec.limit, limit < all.count {
            all = all.subset(Array(0..<limit), name: all.name)
        }
        let (train, val) = all.split(validationFraction: spec.validationFraction, rng: &splitRNG)
        return ExperimentData(train: train, validation: val, test: test)
    }
}

/// Why an experiment's data could not be prepared.
public struct ExperimentDataError: Error, CustomStringConvertible, LocalizedError, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// An experiment made concrete: its data, network, optimizer and trainer, built the same
/// way every time for a given seed. The CLI, the Lab and tests all start runs here.
public final class ExperimentSession {
    public let experiment: Experiment
    public let data: ExperimentData
    public let network: Network
    public let optimizer: Optimizer
    public let trainer: Trainer

    /// `data` can be passed in to share loaded image sets between runs.
    public init(_ experiment: Experiment, data: ExperimentData? = nil) throws {
        self.experiment = experiment
        guard experiment.mode == .none else {
            throw ExperimentDataError("mode \(experiment.mode.rawValue) needs dendrites, which this build does not have yet; use --mode none")
        }
        self.data = try data ?? ExperimentData.load(experiment.dataset, seed: experiment.seed)
        var initRNG = RNG(seed: experiment.seed ^ 0x1417_0000_0000_0002)
        network = Network(spec: experiment.network, rng: &initRNG)
        optimizer = experiment.optimizer.make()
        trainer = Trainer(network: network, optimizer: optimizer, train: self.data.train,
                          validation: self.data.validation, config: experiment.training,
                          schedule: experiment.schedule)
    }

    /// Dendrite sets per layer of `network` (all zero for plain networks).
    public var dendriteCounts: [Int] { Array(repeating: 0, count: experiment.network.layers.count) }

    /// Total dendrite sets added so far (the largest count over layers).
    public var dendriteSets: Int { dendriteCounts.max() ?? 0 }
}
