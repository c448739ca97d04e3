import Foundation

/// What a checkpoint holds and how it maps onto a live run. Tensors:
///
///     <parameter name>              every network parameter ("layers.0.weight", ...)
///     optimizer/<buffer>/<param>    Adam "m"/"v" or SGD "velocity" buffers
///     trainer/order                 the sample order of the last epoch (each epoch
///                                   reshuffles it; indices stored exactly as F32 < 2^24)
///
/// `__metadata__` strings, each a JSON document:
///
///     format         "dendrite-lab checkpoint 1"
///     experiment     the resolved `Experiment` (a resumed run must match it)
///     architecture   {"input", "layers" (text form), "spec" (NetworkSpec), "dendrites"
///                     (sets per layer), "parameters"}
///     trainer        {"epoch", "phase", "rng", "learningRate", "schedule", "history"}
///     optimizer      {"kind", "steps"} (buffers are tensors, above)
///     dendrites      dendrite counts, error statistics, switch tracker and the trainer's
///                    best snapshots (gd and pb runs; TrainingSnapshot+Dendrites.swift)
///     model          for readers outside this program: which model the file holds, its
///                    layers, dendrite formula and input transform (`ModelCard`)
///
/// Checkpoints are taken between epochs only, outside PB dendrite phases; a run restored
/// from one continues bit-exactly as if it had never stopped.
public enum TrainingSnapshot {
    public static let format = "dendrite-lab checkpoint 1"

    public struct Architecture: Codable, Equatable, Sendable {
        public var input: [Int]
        public var layers: [String]
        public var spec: NetworkSpec
        /// Dendrite sets per layer (0 for layers without dendrites).
        public var dendrites: [Int]
        public var parameters: Int
    }

    public struct TrainerState: Codable, Equatable, Sendable {
        public var epoch: Int
        public var phase: Phase
        public var rng: RNG
        public var learningRate: Float
        public var schedule: LRSchedule
        public var history: [EpochMetrics]
    }

    struct OptimizerSummary: Codable { var kind: String; var steps: [String: Int] }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    /// The checkpoint of `trainer` between epochs; `extraMetadata` adds documents.
    public static func capture(experiment: Experiment, trainer: Trainer,
                               extraMetadata: [String: String] = [:]) throws -> Checkpoint {
        // Invariant: callers finish the epoch first (ExperimentRun between epochs, the Lab's save).
        precondition(trainer.batchInEpoch == 0, "checkpoints are taken between epochs")
        let net = trainer.network
        var ckpt = Checkpoint()
        for p in net.parameters { ckpt.tensors.append((p.name, p.value)) }
        ckpt.tensors += net.heldSomaWeights
        var summary = OptimizerSummary(kind: "none", steps: [:])
        if let state = OptimizerState.capture(trainer.optimizer, parameters: net.parameters) {
            summary = OptimizerSummary(kind: state.kind, steps: state.steps)
            // Buffers keep their parameter's shape so they read naturally in Python.
            var shapes: [String: [Int]] = [:]
            for p in net.parameters { shapes[p.name] = p.value.shape }
            for key in state.buffers.keys.sorted() {
                // Invariant: key comes from state.buffers.keys.
                let b = state.buffers[key]!
                let param = String(key.drop { $0 != "/" }.dropFirst())
                let shape = shapes[param].flatMap { $0.reduce(1, *) == b.count ? $0 : nil } ?? [b.count]
                ckpt.tensors.append(("optimizer/" + key, Tensor(shape: shape, b)))
            }
        }
        ckpt.tensors.append(("trainer/order", Tensor(shape: [trainer.order.count], trainer.order.map { Float($0) })))
        let counts = net.layers.map { ($0 as? PerforatedLayer)?.dendrites.count ?? 0 }
        let arch = Architecture(input: net.spec.inputShape, layers: net.spec.layers.map(\.text), spec: net.spec,
                                dendrites: counts, parameters: net.parameterCount)
        let state = TrainerState(epoch: trainer.epoch, phase: trainer.phase, rng: trainer.rng,
                                 learningRate: trainer.optimizer.learningRate, schedule: trainer.schedule,
                                 history: trainer.history)
        ckpt.metadata = extraMetadata
        ckpt.metadata["format"] = format
        ckpt.metadata["experiment"] = try json(experiment)
        ckpt.metadata["architecture"] = try json(arch)
        ckpt.metadata["trainer"] = try json(state)
        ckpt.metadata["optimizer"] = try json(summary)
        // A dendrite run that has stopped holds the best model the switching rule restored.
        let restored = trainer.dendriteMode != .none && trainer.stopped
        ckpt.metadata["model"] = try json(ModelCard(
            holds: restored ? .best : .last, epoch: restored ? trainer.bestEpoch : trainer.epoch, spec: net.spec,
            dendrites: counts, activation: trainer.dendriteConfig.activation, inputs: trainer.dendriteConfig.inputs,
            somaInputs: net.somaInputs, data: trainer.train))
        try captureDendrites(trainer, into: &ckpt)
        return ckpt
    }

    /// The sample order as indices when `values` holds each of 0..<count exactly once
    /// (a damaged file could hold NaN, fractions or repeats, which would crash training).
    static func permutation(_ values: [Float]) -> [Int]? {
        var seen = [Bool](repeating: false, count: values.count)
        var out: [Int] = []
        out.reserveCapacity(values.count)
        for v in values {
            guard v >= 0, v < Float(values.count), v == v.rounded() else { return nil }
            let i = Int(v)
            guard !seen[i] else { return nil }
            seen[i] = true
            out.append(i)
        }
        return out
    }

    /// Decodes one metadata document, with an error naming the file and the key.
    public static func document<T: Decodable>(_ type: T.Type, _ key: String, in ckpt: Checkpoint, file: String) throws -> T {
        guard let text = ckpt.metadata[key] else {
            throw CheckpointError(file: file, problem: "metadata has no '\(key)' entry (not a dendrite-lab checkpoint?)")
        }
        do {
            return try decoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw CheckpointError(file: file, problem: "metadata '\(key)' is not valid: \(error)")
        }
    }

    /// A run never checkpoints a non-finite value (it stops at divergence first, with
    /// the previous checkpoint kept) and Adam's second moments are never negative, so
    /// such values mean a damaged file: called corrupt here, not "diverged".
    static func checkValues(_ ckpt: Checkpoint, file: String) throws {
        for (name, t) in ckpt.tensors {
            let squares = name.hasPrefix("optimizer/v/")
            let storage = t.storage
            if let i = storage.firstIndex(where: { !$0.isFinite || (squares && $0 < 0) }) {
                throw CheckpointError(file: file, problem: "tensor '\(name)' is corrupt: value \(storage[i]) at index \(i)\(squares ? " (Adam's squared-gradient average must be finite and >= 0)" : " (a run only saves finite values)")")
            }
        }
    }

    /// Copies every parameter of `network` from `ckpt` (names and shapes must match).
    public static func loadParameters(_ ckpt: Checkpoint, into network: Network, file: String) throws {
        try checkValues(ckpt, file: file)
        var byName: [String: Tensor] = [:]
        for (n, t) in ckpt.tensors { byName[n] = t }
        for p in network.parameters {
            guard let t = byName[p.name] else {
                throw CheckpointError(file: file, problem: "no tensor '\(p.name)' (the checkpoint was saved from another architecture)")
            }
            guard t.shape == p.value.shape else {
                throw CheckpointError(file: file, problem: "tensor '\(p.name)' has shape \(t.shape), the network expects \(p.value.shape)")
            }
            p.value = t
        }
    }

    /// Puts `trainer` (its network, optimizer, schedule, RNG, history and epoch) into the
    /// state saved in `ckpt`. The trainer must have been built from the same experiment.
    public static func restore(_ ckpt: Checkpoint, file: String, into trainer: Trainer) throws {
        guard ckpt.metadata["format"] == format else {
            throw CheckpointError(file: file, problem: "format is '\(ckpt.metadata["format"] ?? "missing")', expected '\(format)'")
        }
        let arch = try document(Architecture.self, "architecture", in: ckpt, file: file)
        guard arch.spec == trainer.network.spec else {
            throw CheckpointError(file: file, problem: "architecture [\(arch.layers.joined(separator: ", "))] differs from the run's [\(trainer.network.spec.layers.map(\.text).joined(separator: ", "))]")
        }
        let dendriteState = try prepareDendrites(ckpt, file: file, into: trainer)
        try loadParameters(ckpt, into: trainer.network, file: file)
        if let dendriteState { try restoreDendriteState(dendriteState, ckpt, file: file, into: trainer) }
        let state = try document(TrainerState.self, "trainer", in: ckpt, file: file)
        let summary = try document(OptimizerSummary.self, "optimizer", in: ckpt, file: file)
        var opt = OptimizerState(kind: summary.kind, steps: summary.steps)
        for (n, t) in ckpt.tensors where n.hasPrefix("optimizer/") {
            opt.buffers[String(n.dropFirst("optimizer/".count))] = t.storage
        }
        if summary.kind != "none", let problem = opt.restore(into: trainer.optimizer, parameters: trainer.network.parameters) {
            throw CheckpointError(file: file, problem: "optimizer state: \(problem)")
        }
        guard let order = ckpt["trainer/order"], order.count == trainer.train.count else {
            throw CheckpointError(file: file, problem: "trainer/order is missing or does not match the \(trainer.train.count) training samples")
        }
        guard let indices = permutation(order.storage) else {
            throw CheckpointError(file: file, problem: "trainer/order is not a permutation of 0..<\(order.count) (corrupt file?)")
        }
        guard state.epoch >= 0, state.history.count <= state.epoch else {
            throw CheckpointError(file: file, problem: "trainer epoch \(state.epoch) with \(state.history.count) history rows is inconsistent")
        }
        guard state.rng.isUsable else {
            throw CheckpointError(file: file, problem: "trainer rng state \(state.rng.state) is not 4 words, not all zero (corrupt file?)")
        }
        if trainer.dendriteMode != .none, state.phase != .neuron {
            throw CheckpointError(file: file, problem: "trainer phase is \(state.phase); checkpoints are taken in the neuron phase only")
        }
        trainer.order = indices
        trainer.epoch = state.epoch
        trainer.history = state.history
        trainer.rng = state.rng
        trainer.schedule = state.schedule
        trainer.optimizer.learningRate = state.learningRate
    }
}

extension RNG {
    /// xoshiro256** needs exactly four words of state, not all zero; a checkpoint's copy
    /// is checked before it is used.
    var isUsable: Bool { state.count == 4 && state.contains { $0 != 0 } }
}
