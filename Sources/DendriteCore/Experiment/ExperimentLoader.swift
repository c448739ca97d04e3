import Foundation

/// Reads experiment files (and lesson front matter) into `Experiment` values. Every key,
/// with its default:
///
///     name: mnist-mlp-narrow            required
///     description: "..."                optional
///     dataset: mnist                    or a mapping:
///       name: xor|circle|gaussians|spiral|moons|checkerboard|corners|mnist|fashion-mnist|cifar10|csv
///       file: points.csv                csv: x,y,label rows (CSVPoints.swift), relative to
///                                       this file's folder or absolute; test set = validation
///       count: 1000                     toy: samples for train + validation
///       test_count: <count>             toy: samples in the test set
///       noise: 0                        toy: std of Gaussian jitter
///       validation: 0.2                 fraction of training samples held out
///       normalization: unit             none | unit (x/255) | standard (measured mean/std)
///                                       | published (the usual constants); toy: none
///       directory: <default>            real sets: folder with the files (default:
///                                       $DENDRITE_DATA_DIR/NAME or ~/.cache/dendrite-lab/NAME)
///       limit: <all>                    real sets: first N training samples only
///     network:                          required
///       input: [2]                      optional; defaults to the dataset's sample shape
///       layers: [dense 16, tanh, dense 2]   see LayerSpec+Text.swift for the forms
///     mode: none                        none | gd | pb
///     dendrites:
///       max_dendrites: 3
///       switch: plateau                 plateau | fixed | never
///       n_epochs_to_switch: 10
///       p_epochs_to_switch: 3
///       max_p_epochs: 20
///       fixed_interval: 10
///       candidate_lr: 0.001
///       candidate_init_scale: 0.01
///       candidate_pool: 4          candidates per neuron in a P phase (best-correlated kept)
///       p_min_improvement: 0.01    relative held-out correlation gain that resets the P stop rule
///       lr_trial_epochs: 1         after a PB switch, epochs at the original lr and at one decay step
///       correlation_subset: validation   P phase measures candidates on validation (or train) samples
///       statistics_rate: 0.01           rate of the running error/correlation statistics
///       max_dendrite_tries: 2
///       improvement_thresholds: [0.001, 0.0001, 0]
///       score: accuracy                 accuracy | loss
///       layers: all                     or a list of indices into network.layers
///       activation: sigmoid             sigmoid | tanh | relu | dcaap | nmda (DendriteMode.swift)
///       soma_inputs: true               false: W held at 0, inputs reach neurons only through dendrites
///       error_signal: preactivation     PB candidates correlate with dL/dy (preactivation) or with the
///                                       gradient entering the activation after the neuron (output)
///       output_lr_scale: 1              dendrite output weights A learn at this multiple of optimizer.lr
///       candidate_weight_decay: 0       L2 decay of the candidates' Adam (keeps them from growing sharp)
///     optimizer: adam                   or a mapping: kind (adam|sgd), lr, momentum, weight_decay
///     schedule: constant                or a mapping: kind (constant|step|plateau), factor,
///                                       every, patience, min_lr
///     epochs: 20                        required
///     batch_size: 32
///     seed: 1
public enum ExperimentLoader {
    public static let topLevelKeys = ["name", "description", "dataset", "network", "mode", "dendrites",
                                      "optimizer", "schedule", "epochs", "batch_size", "seed"]

    /// Loads an experiment file; errors name `url`'s path as given.
    public static func load(contentsOf url: URL) throws -> Experiment {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ConfigError(file: url.path, line: 0, problem: "cannot read the file (\(error.localizedDescription))",
                              expected: "a readable UTF-8 YAML file")
        }
        return try decode(yaml: text, file: url.path)
    }

    /// Decodes YAML text; `file` and `lineOffset` place errors in the original file.
    public static func decode(yaml: String, file: String, lineOffset: Int = 0) throws -> Experiment {
        let root = try ConfigValue.parse(yaml: yaml, source: ConfigSource(file: file, lineOffset: lineOffset))
        return try decode(root).experiment
    }

    /// Decodes a top-level mapping. Keys present override `base` (lesson steps change a
    /// few settings of the lesson's experiment); without a base, `name`, `dataset`,
    /// `network` and `epochs` are required. `extraKeys` are accepted and returned
    /// undecoded in `map` for the caller (a lesson's `steps`, say).
    public static func decode(_ root: ConfigValue, base: Experiment? = nil,
                              extraKeys: [String] = []) throws -> (experiment: Experiment, map: ConfigMap) {
        let m = try root.mapping(allowed: topLevelKeys + extraKeys)
        func value(_ key: String, _ expected: String) throws -> ConfigValue? {
            base == nil ? try m.required(key, expected: expected) : m[key]
        }
        // Invariant (for every `!` below): without a base, value() throws for a missing
        // required key, so `base!` runs only with a base, and dataset and network are set
        // either from the file or from the base.
        let name = try value("name", "a short name such as 'mnist-mlp'")?.string() ?? base!.name
        let description = try m["description"]?.string() ?? base?.description ?? ""

        var dataset = base?.dataset
        if let v = try value("dataset", "a dataset name or mapping") { dataset = try decodeDataset(v, base: base?.dataset) }

        var network = base?.network
        let networkValue = try value("network", "'input' and 'layers'")
        // Invariant: as above (set from the file or the base).
        if let v = networkValue { network = try decodeNetwork(v, dataset: dataset!) }

        let mode = try m["mode"]?.choice(Experiment.Mode.self) ?? base?.mode ?? .none
        var dendrites = base?.dendrites ?? DendriteConfig()
        // Invariant: as above (set from the file or the base).
        if let v = m["dendrites"] { dendrites = try decodeDendrites(v, base: dendrites, network: network!) }
        var optimizer = base?.optimizer ?? OptimizerSpec(kind: .adam, learningRate: 1e-3)
        if let v = m["optimizer"] { optimizer = try decodeOptimizer(v, base: base?.optimizer) }
        var schedule = base?.schedule ?? .constant
        if let v = m["schedule"] { schedule = try decodeSchedule(v) }
        // Invariant: as above (set from the file or the base).
        let epochs = try value("epochs", "a positive whole number")?.int(in: 1...1_000_000) ?? base!.epochs
        let batchSize = try m["batch_size"]?.int(in: 1...1_000_000) ?? base?.batchSize ?? 32
        let seed = try m["seed"]?.uint64() ?? base?.seed ?? 1

        // Invariant: as above (set from the file or the base).
        let experiment = Experiment(name: name, description: description, dataset: dataset!, network: network!,
                                    mode: mode, dendrites: dendrites, optimizer: optimizer, schedule: schedule,
                                    epochs: epochs, batchSize: batchSize, seed: seed)
        try checkConsistency(experiment, at: networkValue ?? root)
        return (experiment, m)
    }

    // MARK: Sections

    static func decodeDataset(_ v: ConfigValue, base: Experiment.DatasetSpec?) throws -> Experiment.DatasetSpec {
        if case .scalar = v.node {
            let name = try v.choice(Experiment.DatasetSpec.Name.self)
            guard name != .csv else { throw v.error("dataset csv needs its file", expected: "a mapping such as {name: csv, file: points.csv}") }
            return Experiment.DatasetSpec(name: name)
        }
        let m = try v.mapping(allowed: ["name", "count", "test_count", "noise", "validation", "normalization",
                                        "limit", "directory", "file"])
        let nameValue = base == nil ? try m.required("name", expected: "a dataset name") : m["name"]
        var d: Experiment.DatasetSpec
        if let nameValue {
            let name = try nameValue.choice(Experiment.DatasetSpec.Name.self)
            // Invariant: without a base the name is required (m.required threw otherwise), so base! runs only with a base.
            d = base?.name == name ? base! : Experiment.DatasetSpec(name: name)
        } else {
            d = base!
        }
        if let c = m["count"] { d.count = try c.int(in: 4...10_000_000); if m["test_count"] == nil { d.testCount = d.count } }
        if let c = m["test_count"] { d.testCount = try c.int(in: 1...10_000_000) }
        if let n = m["noise"] { d.noise = try n.float(in: 0...10) }
        if let f = m["validation"] { d.validationFraction = try f.double(in: 0.01...0.9) }
        if let n = m["normalization"] { d.normalization = try n.choice(Normalization.Strategy.self) }
        if let l = m["limit"] { d.limit = try l.int(in: 10...100_000_000) }
        if let dir = m["directory"] { d.directory = try dir.string() }
        let toyOnly = ["count", "test_count", "noise"].filter { m[$0] != nil }
        if !d.name.isToy, let key = toyOnly.first {
            // Invariant: key was just found in m.
            throw m[key]!.error("'\(key)' applies only to toy datasets, not \(d.name.rawValue)",
                                expected: "'limit' to train on fewer \(d.name.rawValue) samples")
        }
        if d.name.isToy, d.normalization != .none, let n = m["normalization"] {
            throw n.error("normalization applies only to image datasets; toy points are used as generated",
                          expected: "no normalization key (or 'none') for \(d.name.rawValue)")
        }
        if d.name.isToy, let key = ["limit", "directory"].first(where: { m[$0] != nil }) {
            // Invariant: key was just found in m.
            throw m[key]!.error("'\(key)' applies only to image datasets, not \(d.name.rawValue)",
                                expected: "'count' for toy datasets")
        }
        if d.name == .csv { try decodeCSV(m, v, into: &d) } else if let f = m["file"] {
            throw f.error("'file' applies only to dataset csv, not \(d.name.rawValue)", expected: "name: csv with file: points.csv")
        }
        return d
    }

    /// `name: csv`: resolves `file` against the experiment file's folder and reads it
    /// once, so a bad row is reported now (FILE:LINE) and the class count is known.
    static func decodeCSV(_ m: ConfigMap, _ v: ConfigValue, into d: inout Experiment.DatasetSpec) throws {
        if let key = ["normalization", "limit", "directory"].first(where: { m[$0] != nil }) {
            // Invariant: key was just found in m.
            throw m[key]!.error("'\(key)' does not apply to csv points (used as written)", expected: "name, file and validation")
        }
        guard let f = m["file"] ?? d.file.map({ _ in v }) else {
            throw v.error("dataset csv has no 'file'", expected: "file: points.csv (x,y,label rows)")
        }
        if let fv = m["file"] {
            let path = try fv.string()
            let folder = URL(fileURLWithPath: v.source.file).deletingLastPathComponent()
            d.file = path.hasPrefix("/") ? path : folder.appendingPathComponent(path).standardizedFileURL.path
        }
        do {
            // Invariant: the guard above returned unless file was given now or before.
            d.classes = try CSVPoints.read(path: d.file!).classCount
        } catch let e as DataError {
            throw f.error("dataset file \(e.description)", expected: "a readable CSV of x,y,label rows")
        }
    }

    static func decodeNetwork(_ v: ConfigValue, dataset: Experiment.DatasetSpec) throws -> NetworkSpec {
        let m = try v.mapping(allowed: ["input", "layers"])
        var input = dataset.name.sampleShape
        if let i = m["input"] {
            input = try i.list().map { try $0.int(in: 1...100_000) }
            guard !input.isEmpty else { throw i.error("network.input is an empty list", expected: "a shape such as [2] or [1, 28, 28]") }
            guard input.reduce(1, *) == dataset.name.sampleShape.reduce(1, *) else {
                throw i.error("network.input \(input) does not fit \(dataset.name.rawValue) samples of shape \(dataset.name.sampleShape)",
                              expected: "\(dataset.name.sampleShape) or another shape with \(dataset.name.sampleShape.reduce(1, *)) values")
            }
        }
        let layersValue = try m.required("layers", expected: "a list such as [dense 16, tanh, dense 2]")
        let items = try layersValue.list()
        guard !items.isEmpty else { throw layersValue.error("network.layers is empty", expected: "at least one layer") }
        var layers: [LayerSpec] = []
        for item in items {
            let text = try item.string()
            switch LayerSpec.parse(text) {
            case .success(let l): layers.append(l)
            case .failure(let e): throw item.error("layer '\(text)': \(e.message)", expected: LayerSpec.textForms)
            }
        }
        let spec = NetworkSpec(inputShape: input, layers: layers)
        if case .failure(let e) = spec.inferredShapes() {
            throw items[e.index].error("layer '\(layers[e.index].text)' cannot follow: \(e.message)",
                                       expected: "conv and maxpool on a [channels, height, width] input (network.input such as [1, 28, 28]), before any flatten or dense layer")
        }
        guard layers.contains(where: \.isNeuronLayer) else {
            throw layersValue.error("network.layers has no dense or conv layer", expected: "at least one 'dense N' or 'conv N KxK'")
        }
        return spec
    }

    static func decodeDendrites(_ v: ConfigValue, base: DendriteConfig,
                                network: NetworkSpec) throws -> DendriteConfig {
        let m = try v.mapping(allowed: ["max_dendrites", "switch", "n_epochs_to_switch", "p_epochs_to_switch",
                                        "max_p_epochs", "fixed_interval", "candidate_lr", "candidate_init_scale",
                                        "max_dendrite_tries", "improvement_thresholds", "score", "layers", "activation",
                                        "statistics_rate", "p_min_improvement", "candidate_pool", "lr_trial_epochs",
                                        "correlation_subset", "inputs", "soma_inputs", "error_signal", "output_lr_scale",
                                        "candidate_weight_decay"])
        var d = base
        if let x = m["max_dendrites"] { d.maxDendrites = try x.int(in: 0...100) }
        if let x = m["switch"] { d.switchMode = try x.choice(DendriteConfig.SwitchMode.self) }
        if let x = m["n_epochs_to_switch"] { d.nEpochsToSwitch = try x.int(in: 1...100_000) }
        if let x = m["p_epochs_to_switch"] { d.pEpochsToSwitch = try x.int(in: 1...100_000) }
        if let x = m["max_p_epochs"] { d.maxPEpochs = try x.int(in: 1...100_000) }
        if let x = m["fixed_interval"] { d.fixedInterval = try x.int(in: 1...100_000) }
        if let x = m["candidate_lr"] { d.candidateLearningRate = try x.float(in: 1e-9...10) }
        if let x = m["candidate_init_scale"] { d.candidateInitScale = try x.float(in: 0...10) }
        if let x = m["p_min_improvement"] { d.pMinimumImprovement = try x.float(in: 0...1) }
        if let x = m["candidate_pool"] { d.candidatePool = try x.int(in: 1...64) }
        if let x = m["lr_trial_epochs"] { d.learningRateTrialEpochs = try x.int(in: 0...1000) }
        if let x = m["correlation_subset"] { d.correlationSubset = try x.choice(DendriteConfig.CorrelationSubset.self) }
        if let x = m["max_dendrite_tries"] { d.maxDendriteTries = try x.int(in: 1...100) }
        if let x = m["statistics_rate"] { d.statisticsRate = try x.double(in: 1e-6...1) }
        if let x = m["improvement_thresholds"] {
            let items = try x.list()
            guard !items.isEmpty else { throw x.error("improvement_thresholds is empty", expected: "a list such as [0.001, 0.0001, 0]") }
            d.improvementThresholds = try items.map { try $0.float(in: 0...1) }
        }
        if let x = m["score"] { d.score = try x.choice(DendriteConfig.Score.self) }
        if let x = m["activation"] { d.activation = try x.choice(DendriteActivation.self) }
        if let x = m["soma_inputs"] { d.somaInputs = try x.bool() }
        if let x = m["error_signal"] { d.errorSignal = try x.choice(DendriteConfig.ErrorSignal.self) }
        if let x = m["candidate_weight_decay"] { d.candidateWeightDecay = try x.float(in: 0...10) }
        if let x = m["output_lr_scale"] { d.outputLearningRateScale = try x.float(in: 1e-3...1000) }
        if let x = m["layers"] {
            if case .scalar = x.node {
                guard try x.string() == "all" else { throw x.error("dendrites.layers is \(x.kindName)", expected: "'all' or a list of layer indices") }
                d.layers = nil
            } else {
                var indices: [Int] = []
                for item in try x.list() {
                    let i = try item.int(in: 0...max(0, network.layers.count - 1))
                    guard network.layers[i].isNeuronLayer else {
                        throw item.error("network.layers[\(i)] is '\(network.layers[i].text)', which has no neurons",
                                         expected: "indices of dense or conv layers")
                    }
                    indices.append(i)
                }
                d.layers = indices
            }
        }
        if let x = m["inputs"] {
            guard let inputs = DendriteInputs.parse(try x.string()) else {
                throw x.error("dendrites.inputs is \(x.kindName)", expected: DendriteInputs.textForms)
            }
            if let (problem, expected) = inputs.problem(network: network, layers: d.layers) { throw x.error(problem, expected: expected) }
            d.inputs = inputs
        }
        return d
    }

    static func decodeOptimizer(_ v: ConfigValue, base: OptimizerSpec?) throws -> OptimizerSpec {
        func defaultRate(_ k: OptimizerSpec.Kind) -> Float { k == .adam ? 1e-3 : 1e-2 }
        if case .scalar = v.node {
            let kind = try v.choice(OptimizerSpec.Kind.self)
            return OptimizerSpec(kind: kind, learningRate: defaultRate(kind))
        }
        let m = try v.mapping(allowed: ["kind", "lr", "momentum", "weight_decay"])
        let kind = try m["kind"]?.choice(OptimizerSpec.Kind.self) ?? base?.kind ?? .adam
        // Invariant: base! only where base?.kind matched, so base is set.
        var o = base?.kind == kind ? base! : OptimizerSpec(kind: kind, learningRate: defaultRate(kind))
        if let x = m["lr"] { o.learningRate = try x.float(in: 1e-12...100) }
        if let x = m["momentum"] {
            guard kind == .sgd else { throw x.error("momentum applies to sgd only", expected: "kind: sgd, or no momentum with adam") }
            o.momentum = try x.float(in: 0...0.9999)
        }
        if let x = m["weight_decay"] { o.weightDecay = try x.float(in: 0...1) }
        return o
    }

    static func decodeSchedule(_ v: ConfigValue) throws -> LRSchedule {
        if case .scalar = v.node { return LRSchedule(kind: try v.choice(LRSchedule.Kind.self, named: \.fileName)) }
        let m = try v.mapping(allowed: ["kind", "factor", "every", "patience", "min_lr"])
        var s = LRSchedule(kind: try m.required("kind", expected: "constant, step or plateau")
            .choice(LRSchedule.Kind.self, named: \.fileName))
        if let x = m["factor"] { s.factor = try x.float(in: 1e-6...1) }
        if let x = m["every"] { s.every = try x.int(in: 1...1_000_000) }
        if let x = m["patience"] { s.patience = try x.int(in: 0...1_000_000) }
        if let x = m["min_lr"] { s.minimum = try x.float(in: 0...100) }
        return s
    }

    /// Checks that need several sections at once.
    static func checkConsistency(_ e: Experiment, at networkValue: ConfigValue) throws {
        guard case .success(let shapes) = e.network.inferredShapes(), let out = shapes.last else { return }
        let classes = e.dataset.classCount
        // Two classes may also use one output: a logit read as log-odds (sigmoid + BCE).
        guard out.reduce(1, *) == classes || (classes == 2 && out.reduce(1, *) == 1) else {
            var at = networkValue
            if case .mapping = networkValue.node, let m = try? networkValue.mapping(allowed: ["input", "layers"]),
               let last = try? m["layers"]?.list().last {
                at = last
            }
            throw at.error("the network ends with \(out.reduce(1, *)) outputs but \(e.dataset.name.rawValue) has \(classes) classes",
                           expected: classes == 2 ? "a last layer 'dense 2' or 'dense 1'" : "a last layer 'dense \(classes)'")
        }
    }
}

extension OptimizerSpec.Kind: CaseIterable {
    public static var allCases: [OptimizerSpec.Kind] { [.adam, .sgd] }
}
