import DendriteCore

/// How dendrites are used, as the Lab's mode button cycles through them (DESIGN 2.2):
/// none (plain network), GD (dendrites trained jointly by backprop) or PB (perforated
/// backpropagation with neuron and dendrite phases).
public enum LabMode: String, Codable, CaseIterable, Sendable {
    case none, gd, pb

    public var next: LabMode {
        let all = LabMode.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// Everything that determines the model the Lab trains: dataset, network, optimiser and
/// seed. Same config, same run (weights, shuffling, data).
public struct LabConfig: Codable, Equatable, Sendable {
    public var dataset: ToyData.Kind = .xor
    /// Standard deviation of Gaussian jitter on each point (data units; points span ~[-1, 1]).
    public var noise: Float = 0.05
    public var samples: Int = 600
    public var validationFraction: Double = 0.2
    public var hidden: [Int] = [8, 8]
    public var activation: LayerSpec = .tanh
    public var batchSize: Int = 16
    /// Adam learning rate.
    public var learningRate: Float = 0.02
    public var seed: UInt64 = 1
    public var mode: LabMode = .none
    /// Epochs without a better validation score before dendrites are added (small, so a
    /// lesson shows a switch within a minute).
    public var switchEpochs: Int = 6
    /// Most dendrite sets the automatic rule adds (D adds more on request).
    public var maxDendrites: Int = 4
    /// Cap on the length of a PB dendrite phase, in epochs.
    public var maxDendritePhaseEpochs: Int = 8

    public init() {}

    /// The core's dendrite settings for this config.
    public var dendriteConfig: DendriteConfig {
        var switching = SwitchTracker.Config()
        switching.nEpochsToSwitch = switchEpochs
        switching.pEpochsToSwitch = min(3, maxDendritePhaseEpochs)
        switching.maxDendritePhaseEpochs = maxDendritePhaseEpochs
        switching.maxDendrites = maxDendrites
        return DendriteConfig(mode: DendriteMode(rawValue: mode.rawValue) ?? .none, switching: switching,
                              evaluationSamples: 256)
    }

    public var networkSpec: NetworkSpec {
        .mlp(inputs: 2, hidden: hidden, outputs: 2, activation: activation)
    }
}
