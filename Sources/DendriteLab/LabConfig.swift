import DendriteCore

extension DendriteMode {
    /// The mode after this one as the Lab's mode button cycles: none, gd, pb, none...
    public var next: DendriteMode {
        switch self {
        case .none: return .gd
        case .gd: return .pb
        case .pb: return .none
        }
    }
}

/// Everything that determines the model the Lab trains. It *is* an `Experiment` (the
/// same value a lesson's front matter or an experiment file decodes into, design.md 1);
/// the properties below are the knobs the Lab's controls turn on it.
public struct LabConfig: Codable, Equatable, Sendable {
    public var experiment: Experiment

    /// The free playground: a small tanh MLP on XOR, no dendrites until M is pressed.
    public init() {
        var d = DendriteConfig()
        d.maxDendrites = 4
        // Small, so a switch happens within a minute of watching.
        d.nEpochsToSwitch = 6
        d.maxPEpochs = 8
        d.pEpochsToSwitch = 3
        experiment = Experiment(
            name: "playground", description: "The Lab's free playground",
            dataset: Experiment.DatasetSpec(name: .toy(.xor), count: 600, testCount: 600, noise: 0.05,
                                            validationFraction: 0.2),
            network: .mlp(inputs: 2, hidden: [8, 8], outputs: 2, activation: .tanh),
            mode: .none, dendrites: d,
            optimizer: OptimizerSpec(kind: .adam, learningRate: 0.02),
            epochs: LabConfig.unbounded, batchSize: 16, seed: 1)
    }

    /// A lesson step or experiment file, played in the Lab (which trains until paused).
    public init(experiment: Experiment) {
        self.experiment = experiment
    }

    /// Epoch budget given to the trainer: the Lab stops when the user or the switching
    /// rule does, not at a fixed count.
    public static let unbounded = 1_000_000

    public var dataset: ToyData.Kind {
        get { experiment.dataset.name.toyKind ?? .xor }
        set {
            experiment.dataset.name = .toy(newValue)
            experiment.dataset.file = nil      // back from csv points (LabConfig+CSV)
            experiment.dataset.classes = nil
        }
    }

    /// Standard deviation of Gaussian jitter on each point (data units; points span ~[-1, 1]).
    public var noise: Float {
        get { experiment.dataset.noise }
        set { experiment.dataset.noise = newValue }
    }

    /// Points generated for training plus validation.
    public var samples: Int {
        get { experiment.dataset.count }
        set { experiment.dataset.count = newValue; experiment.dataset.testCount = newValue }
    }

    public var seed: UInt64 {
        get { experiment.seed }
        set { experiment.seed = newValue }
    }

    /// The dendrite branches' nonlinearity (sigmoid, dcaap, nmda, ...).
    public var branchActivation: DendriteActivation {
        get { experiment.dendrites.activation }
        set { experiment.dendrites.activation = newValue }
    }

    /// Which inputs each branch sees: all of its neuron's, or K chosen by a rule
    /// (`local 1`: one input per branch on the Lab's two-input data).
    public var branchInputs: DendriteInputs {
        get { experiment.dendrites.inputs }
        set { experiment.dendrites.inputs = newValue }
    }

    /// False: neurons take their inputs only through their branches (their own input
    /// weights held at 0, `dendrites: {soma_inputs: false}`).
    public var somaInputs: Bool {
        get { experiment.dendrites.somaInputs }
        set { experiment.dendrites.somaInputs = newValue }
    }

    public var mode: DendriteMode {
        get { experiment.mode }
        set { experiment.mode = newValue }
    }

    /// Widths of the hidden dense layers; setting it rebuilds the network as an MLP with
    /// the current hidden activation and the same output layer.
    public var hidden: [Int] {
        get {
            let widths = experiment.network.layers.compactMap { l -> Int? in
                if case .dense(let n) = l { return n } else { return nil }
            }
            return Array(widths.dropLast())
        }
        set {
            let outputs = experiment.network.layers.reversed().compactMap { l -> Int? in
                if case .dense(let n) = l { return n } else { return nil }
            }.first ?? 2
            experiment.network = .mlp(inputs: experiment.network.inputShape.reduce(1, *), hidden: newValue,
                                      outputs: outputs, activation: activation)
        }
    }

    /// The hidden layers' activation (tanh when the network has none).
    public var activation: LayerSpec {
        experiment.network.layers.first { !$0.isNeuronLayer && $0 != .flatten } ?? .tanh
    }

    /// Epochs without a better validation score before dendrites are added.
    public var switchEpochs: Int {
        get { experiment.dendrites.nEpochsToSwitch }
        set { experiment.dendrites.nEpochsToSwitch = newValue }
    }

    /// Most dendrite sets the automatic rule adds (D adds more on request).
    public var maxDendrites: Int {
        get { experiment.dendrites.maxDendrites }
        set { experiment.dendrites.maxDendrites = newValue }
    }

    /// Cap on the length of a PB dendrite phase, in epochs.
    public var maxDendritePhaseEpochs: Int {
        get { experiment.dendrites.maxPEpochs }
        set {
            experiment.dendrites.maxPEpochs = newValue
            experiment.dendrites.pEpochsToSwitch = min(experiment.dendrites.pEpochsToSwitch, newValue)
        }
    }

    /// What the trainer is built from: the experiment with an open-ended epoch budget.
    public var trainingExperiment: Experiment {
        var e = experiment
        e.epochs = LabConfig.unbounded
        return e
    }
}
