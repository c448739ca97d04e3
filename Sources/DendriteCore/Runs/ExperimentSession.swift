import Foundation

/// An experiment made concrete: its data, network, optimizer and trainer, built the same
/// way every time for a given seed. The CLI, the Lab and tests all start runs here.
public final class ExperimentSession {
    public let experiment: Experiment
    public let data: ExperimentData
    public let network: Network
    public let optimizer: Optimizer
    public let trainer: Trainer

    /// `data` can be passed in to share loaded image sets between runs. The experiment
    /// is validated against its data first (`Experiment.validate(against:)`), whatever
    /// path it came by, and each sample is given the shape `network.input` declares;
    /// `source` names the experiment's file in errors.
    public init(_ experiment: Experiment, data: ExperimentData? = nil, source: String? = nil) throws {
        self.experiment = experiment
        try experiment.validate(source: source)
        let loaded = try data ?? ExperimentData.load(experiment.dataset, seed: experiment.seed)
        try experiment.validate(against: loaded, source: source)
        self.data = loaded.reshaped(to: experiment.network.inputShape)
        var initRNG = RNG(seed: experiment.seed ^ 0x1417_0000_0000_0002)
        network = Network(spec: experiment.network, rng: &initRNG)
        optimizer = experiment.optimizer.make()
        trainer = Trainer(network: network, optimizer: optimizer, train: self.data.train,
                          validation: self.data.validation, config: experiment.training,
                          schedule: experiment.schedule, mode: experiment.mode, dendrites: experiment.dendrites)
    }

    /// Dendrite sets per layer of `network` (all zero for plain networks).
    public var dendriteCounts: [Int] { network.layers.map { ($0 as? PerforatedLayer)?.dendrites.count ?? 0 } }

    /// Dendrite sets per neuron (the largest count over layers).
    public var dendriteSets: Int { network.dendriteCount }
}
