/// Writes an experiment back in the file format `ExperimentLoader` reads, every key
/// spelled out: run folders keep this resolved copy (file plus command-line overrides),
/// and generated baselines get a file a user can rerun.
extension Experiment {
    public var yamlText: String {
        func q(_ s: String) -> String {
            let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        func num(_ x: Float) -> String { "\(x)" }
        var lines: [String] = []
        lines.append("name: \(q(name))")
        if !description.isEmpty { lines.append("description: \(q(description))") }
        lines.append("dataset:")
        lines.append("  name: \(dataset.name.rawValue)")
        if dataset.name.isToy {
            lines.append("  count: \(dataset.count)")
            lines.append("  test_count: \(dataset.testCount)")
            lines.append("  noise: \(num(dataset.noise))")
        }
        lines.append("  validation: \(dataset.validationFraction)")
        if dataset.name != .csv { lines.append("  normalization: \(dataset.normalization.rawValue)") }
        if let l = dataset.limit { lines.append("  limit: \(l)") }
        if let d = dataset.directory { lines.append("  directory: \(q(d))") }
        if let f = dataset.file { lines.append("  file: \(q(f))") }
        lines.append("network:")
        lines.append("  input: [\(network.inputShape.map(String.init).joined(separator: ", "))]")
        lines.append("  layers: [\(network.layers.map(\.text).joined(separator: ", "))]")
        lines.append("mode: \(mode.rawValue)")
        lines.append("dendrites:")
        lines.append("  max_dendrites: \(dendrites.maxDendrites)")
        lines.append("  switch: \(dendrites.switchMode.rawValue)")
        lines.append("  n_epochs_to_switch: \(dendrites.nEpochsToSwitch)")
        lines.append("  p_epochs_to_switch: \(dendrites.pEpochsToSwitch)")
        lines.append("  max_p_epochs: \(dendrites.maxPEpochs)")
        lines.append("  fixed_interval: \(dendrites.fixedInterval)")
        lines.append("  candidate_lr: \(num(dendrites.candidateLearningRate))")
        lines.append("  candidate_init_scale: \(num(dendrites.candidateInitScale))")
        lines.append("  candidate_pool: \(dendrites.candidatePool)")
        lines.append("  p_min_improvement: \(num(dendrites.pMinimumImprovement))")
        lines.append("  lr_trial_epochs: \(dendrites.learningRateTrialEpochs)")
        lines.append("  correlation_subset: \(dendrites.correlationSubset.rawValue)")
        lines.append("  max_dendrite_tries: \(dendrites.maxDendriteTries)")
        lines.append("  statistics_rate: \(dendrites.statisticsRate)")
        lines.append("  improvement_thresholds: [\(dendrites.improvementThresholds.map(num).joined(separator: ", "))]")
        lines.append("  score: \(dendrites.score.rawValue)")
        lines.append("  layers: \(dendrites.layers.map { "[\($0.map(String.init).joined(separator: ", "))]" } ?? "all")")
        lines.append("  activation: \(dendrites.activation.rawValue)")
        if dendrites.inputs != .all { lines.append("  inputs: \(dendrites.inputs)") }
        if !dendrites.somaInputs { lines.append("  soma_inputs: false") }
        if dendrites.candidateWeightDecay != 0 { lines.append("  candidate_weight_decay: \(num(dendrites.candidateWeightDecay))") }
        if dendrites.outputLearningRateScale != 1 { lines.append("  output_lr_scale: \(num(dendrites.outputLearningRateScale))") }
        if dendrites.errorSignal != .preactivation { lines.append("  error_signal: \(dendrites.errorSignal.rawValue)") }
        lines.append("optimizer:")
        lines.append("  kind: \(optimizer.kind.rawValue)")
        lines.append("  lr: \(num(optimizer.learningRate))")
        if optimizer.kind == .sgd { lines.append("  momentum: \(num(optimizer.momentum))") }
        lines.append("  weight_decay: \(num(optimizer.weightDecay))")
        lines.append("schedule:")
        lines.append("  kind: \(schedule.kind.fileName)")
        lines.append("  factor: \(num(schedule.factor))")
        lines.append("  every: \(schedule.every)")
        lines.append("  patience: \(schedule.patience)")
        lines.append("  min_lr: \(num(schedule.minimum))")
        lines.append("epochs: \(epochs)")
        lines.append("batch_size: \(batchSize)")
        lines.append("seed: \(seed)")
        return lines.joined(separator: "\n") + "\n"
    }
}
