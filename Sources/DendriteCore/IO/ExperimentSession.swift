import Foundation

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
        self.data = try data ?? ExperimentData.load(experiment.dataset, seed: experiment.seed)
        var initRNG = RNG(seed: experiment.seed ^ 0x1417_0000_0000_0002)
        network = Network(spec: experiment.network, rng: &initRNG)
        optimizer = experiment.optimizer.make()
        trainer = Trainer(network: network, optimizer: optimizer, train: self.data.train,
                          validation: self.data.validation, config: experiment.training,
                          schedule: experiment.schedule, dendrites: experiment.dendriteConfig)
    }

    /// Dendrite sets per layer of `network` (all zero for plain networks).
    public var dendriteCounts: [Int] { network.layers.map { ($0 as? PerforatedLayer)?.dendrites.count ?? 0 } }

    /// Dendrite sets per neuron (the largest count over layers).
    public var dendriteSets: Int { network.dendriteCount }
}
