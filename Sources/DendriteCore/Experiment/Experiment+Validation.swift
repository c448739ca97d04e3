import Foundation

/// Sizes past which an experiment is refused before anything is allocated. A parser's
/// "yes" only says each value has the right form; these bound what the values can ask
/// of the machine (docs/reliability.md lists them).
public enum ExperimentLimits {
    /// Most units of a dense layer, filters of a conv layer, kernel, stride and padding.
    public static let maxWidth = 65_536
    public static let maxKernel = 1_024
    /// Most values in one sample (input or any layer's output).
    public static let maxSampleValues = 16_777_216
    /// Most bytes the estimate of `estimatedBytes` may reach (8 GiB).
    public static let maxEstimatedBytes = 8 << 30
    public static let maxEpochs = 1_000_000
    public static let maxBatchSize = 1_000_000
    public static let maxDendrites = 100
}

extension Experiment {
    /// Checks the experiment alone: every value in the range its loader accepts, the
    /// network's shapes consistent and under `ExperimentLimits`. Experiments reach here
    /// from YAML, lesson steps, checkpoint metadata and Lab settings alike; `source`
    /// names where it came from in the error.
    public func validate(source: String? = nil) throws {
        let from = source ?? "experiment '\(name)'"
        func fail(_ problem: String, _ expected: String) -> ConfigError {
            ConfigError(file: from, line: 0, problem: problem, expected: expected)
        }
        guard (1...ExperimentLimits.maxEpochs).contains(epochs) else { throw fail("epochs is \(epochs)", "1 to \(ExperimentLimits.maxEpochs)") }
        guard (1...ExperimentLimits.maxBatchSize).contains(batchSize) else {
            throw fail("batch_size is \(batchSize)", "1 to \(ExperimentLimits.maxBatchSize)")
        }
        try validateDataset(fail)
        try validateNetwork(fail)
        try validateTraining(fail)
    }

    private func validateDataset(_ fail: (String, String) -> ConfigError) throws {
        let d = dataset
        guard d.validationFraction.isFinite, (0.01...0.9).contains(d.validationFraction) else {
            throw fail("dataset.validation is \(d.validationFraction)", "a fraction from 0.01 to 0.9")
        }
        if d.name.isToy {
            guard (4...10_000_000).contains(d.count) else { throw fail("dataset.count is \(d.count)", "4 to 10000000 samples") }
            guard (1...10_000_000).contains(d.testCount) else { throw fail("dataset.test_count is \(d.testCount)", "1 to 10000000 samples") }
            guard d.noise.isFinite, (0...10).contains(d.noise) else { throw fail("dataset.noise is \(d.noise)", "0 to 10") }
        }
        if let l = d.limit, l < 10 { throw fail("dataset.limit is \(l)", "at least 10 samples") }
        if d.name == .csv, d.file == nil { throw fail("dataset csv has no file", "file: points.csv") }
        if let c = d.classes, !(2...1_000_000).contains(c) { throw fail("dataset has \(c) classes", "at least 2") }
    }

    private func validateNetwork(_ fail: (String, String) -> ConfigError) throws {
        let spec = network
        let maxV = ExperimentLimits.maxSampleValues
        guard !spec.inputShape.isEmpty, spec.inputShape.count <= 3, spec.inputShape.allSatisfy({ (1...maxV).contains($0) }),
              Self.checkedProduct(spec.inputShape).map({ $0 <= maxV }) == true else {
            throw fail("network.input is \(spec.inputShape)", "1 to 3 positive sizes with at most \(maxV) values")
        }
        guard spec.inputShape.reduce(1, *) == dataset.name.sampleShape.reduce(1, *) || dataset.name == .csv && spec.inputShape == [2] else {
            throw fail("network.input \(spec.inputShape) does not fit \(dataset.name.rawValue) samples of shape \(dataset.name.sampleShape)",
                       "a shape with \(dataset.name.sampleShape.reduce(1, *)) values")
        }
        guard !spec.layers.isEmpty, spec.layers.contains(where: \.isNeuronLayer) else {
            throw fail("network.layers has no dense or conv layer", "at least one 'dense N' or 'conv N KxK'")
        }
        for (i, l) in spec.layers.enumerated() {
            let w = ExperimentLimits.maxWidth, k = ExperimentLimits.maxKernel
            let ok: Bool
            switch l {
            case .dense(let n): ok = (1...w).contains(n)
            case .conv2d(let f, let kk, let s, let p): ok = (1...w).contains(f) && (1...k).contains(kk) && (1...k).contains(s) && (0...k).contains(p)
            case .maxPool(let p): ok = (1...k).contains(p)
            case .flatten, .relu, .tanh, .sigmoid: ok = true
            case .dendritic(let somas, let dendrites, let inputs, _):
                ok = (1...w).contains(somas) && (1...w).contains(dendrites) && (1...maxV).contains(inputs)
            }
            guard ok else {
                throw fail("network.layers[\(i)] '\(l.text)' is out of range",
                           "widths 1 to \(w), kernel, stride and pool 1 to \(k), padding 0 to \(k)")
            }
        }
        let shapes: [[Int]]
        switch spec.inferredShapes() {
        case .success(let s): shapes = s
        case .failure(let e): throw fail("layer '\(spec.layers[e.index].text)' cannot follow: \(e.message)", "shapes that fit")
        }
        for (i, s) in shapes.enumerated() where Self.checkedProduct(s).map({ $0 > maxV }) ?? true {
            throw fail("network.layers[\(i)] produces \(s) values per sample", "at most \(maxV)")
        }
        let classes = dataset.classCount, outputs = shapes.last?.reduce(1, *) ?? 0
        // More outputs than classes is wasteful but safe (the Lab keeps its network when
        // it switches from a 3-class csv to a toy set); fewer would index past the logits.
        guard outputs >= classes || (classes == 2 && outputs == 1) else {
            throw fail("the network ends with \(outputs) outputs but \(dataset.name.rawValue) has \(classes) classes",
                       "a last layer 'dense \(classes)'")
        }
        let bytes = estimatedBytes(shapes: shapes)
        guard bytes <= ExperimentLimits.maxEstimatedBytes else {
            throw fail("training would need about \(bytes >> 20) MiB (parameters, optimizer state, best snapshots, dendrites and one batch of activations)",
                       "at most \(ExperimentLimits.maxEstimatedBytes >> 20) MiB: narrower layers, fewer dendrites or a smaller batch_size")
        }
        if let ls = dendrites.layers {
            for i in ls where !(spec.layers.indices.contains(i) && spec.layers[i].isNeuronLayer) {
                throw fail("dendrites.layers names layer \(i)", "indices of dense or conv layers in 0..<\(spec.layers.count)")
            }
        }
        if let (problem, expected) = dendrites.inputs.problem(network: spec, layers: dendrites.layers) { throw fail(problem, expected) }
        if let (problem, expected) = dendrites.somaInputsProblem(mode: mode, network: spec) { throw fail(problem, expected) }
    }

    private func validateTraining(_ fail: (String, String) -> ConfigError) throws {
        let o = optimizer, d = dendrites, s = schedule
        // Any finite positive rate builds and trains; a huge one diverges, which the trainer
        // reports (the Lab's divergence test uses 1e38 on purpose).
        guard o.learningRate.isFinite, o.learningRate > 0 else { throw fail("optimizer.lr is \(o.learningRate)", "a finite positive rate") }
        guard o.momentum.isFinite, (0..<1).contains(o.momentum) else { throw fail("optimizer.momentum is \(o.momentum)", "0 to 0.9999") }
        guard o.weightDecay.isFinite, (0...1).contains(o.weightDecay) else { throw fail("optimizer.weight_decay is \(o.weightDecay)", "0 to 1") }
        guard s.factor.isFinite, s.factor > 0, s.factor <= 1, s.every >= 1, s.patience >= 0, s.minimum.isFinite, s.minimum >= 0 else {
            throw fail("schedule has factor \(s.factor), every \(s.every), patience \(s.patience), min_lr \(s.minimum)",
                       "factor in (0, 1], every >= 1, patience >= 0, min_lr >= 0")
        }
        guard (0...ExperimentLimits.maxDendrites).contains(d.maxDendrites) else {
            throw fail("dendrites.max_dendrites is \(d.maxDendrites)", "0 to \(ExperimentLimits.maxDendrites)")
        }
        let counts = [d.nEpochsToSwitch, d.pEpochsToSwitch, d.maxPEpochs, d.fixedInterval]
        guard counts.allSatisfy({ (1...100_000).contains($0) }), (1...100).contains(d.maxDendriteTries) else {
            throw fail("dendrites epoch counts \(counts) or max_dendrite_tries \(d.maxDendriteTries) out of range",
                       "epoch counts 1 to 100000 and tries 1 to 100")
        }
        guard d.candidateLearningRate.isFinite, d.candidateLearningRate > 0, d.candidateInitScale.isFinite, d.candidateInitScale >= 0,
              d.statisticsRate.isFinite, d.statisticsRate > 0, d.statisticsRate <= 1 else {
            throw fail("dendrites candidate_lr \(d.candidateLearningRate), candidate_init_scale \(d.candidateInitScale) or statistics_rate \(d.statisticsRate) out of range",
                       "candidate_lr > 0, candidate_init_scale >= 0, statistics_rate in (0, 1]")
        }
        guard !d.improvementThresholds.isEmpty, d.improvementThresholds.allSatisfy({ $0.isFinite && (0...1).contains($0) }) else {
            throw fail("dendrites.improvement_thresholds is \(d.improvementThresholds)", "a non-empty list of values from 0 to 1")
        }
    }

    /// Bytes training is expected to hold: each parameter as value, gradient, two
    /// optimizer buffers and two best snapshots, times (1 + max dendrites) when dendrites
    /// may grow; plus a batch of activations and their gradients.
    public func estimatedBytes(shapes: [[Int]]) -> Int {
        let params = network.plainParameterCount
        let growth = mode == .none ? 1 : 1 + dendrites.maxDendrites
        let activations = shapes.reduce(network.inputShape.reduce(1, *)) { $0 + $1.reduce(1, *) }
        let (a, o1) = params.multipliedReportingOverflow(by: 6 * 4 * growth)
        let (b, o2) = activations.multipliedReportingOverflow(by: batchSize * 4 * 3)
        let (sum, o3) = a.addingReportingOverflow(b)
        return o1 || o2 || o3 ? .max : sum
    }

    static func checkedProduct(_ shape: [Int]) -> Int? {
        var p = 1
        for d in shape {
            let (r, o) = p.multipliedReportingOverflow(by: d)
            if o { return nil }
            p = r
        }
        return p
    }

    /// Checks the experiment against the data it will train on: every split has a
    /// sample, each sample has as many values as `network.input`, and every label is
    /// one of the network's outputs. `ExperimentSession` calls this before building.
    public func validate(against data: ExperimentData, source: String? = nil) throws {
        try validate(source: source)
        let from = source ?? "experiment '\(name)'"
        let input = network.inputShape.reduce(1, *)
        let outputs = max(2, (try? network.inferredShapes().get().last?.reduce(1, *)) ?? 0)
        for (split, set) in [("training", data.train), ("validation", data.validation), ("test", data.test)] {
            func fail(_ problem: String, _ expected: String) -> ConfigError {
                ConfigError(file: from, line: 0, problem: "\(split) set \(set.name) \(problem)", expected: expected)
            }
            guard set.count > 0 else {
                throw fail("has no samples (\(data.train.count + data.validation.count) samples, validation fraction \(dataset.validationFraction))",
                           "at least one sample in every split: more samples or another validation fraction")
            }
            guard set.sampleSize == input else {
                throw fail("has samples of shape \(set.sampleShape) (\(set.sampleSize) values)", "\(input) values to fit network.input \(network.inputShape)")
            }
            if let bad = set.labels.first(where: { $0 < 0 || Int($0) >= outputs }) {
                throw fail("has label \(bad) but the network has \(outputs == 2 ? "2 classes" : "\(outputs) outputs")",
                           "labels 0 to \(outputs - 1), or a last layer with more outputs")
            }
        }
    }
}

extension ExperimentData {
    /// The same samples with each one's shape set to `shape` (equal value count): the
    /// network sees its declared `network.input`, whatever shape the files had.
    public func reshaped(to shape: [Int]) -> ExperimentData {
        func r(_ d: Dataset) -> Dataset {
            var d = d
            d.sampleShape = shape
            return d
        }
        return ExperimentData(train: r(train), validation: r(validation), test: r(test))
    }
}
