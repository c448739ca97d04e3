import DendriteCore
import Foundation

/// Fuzz targets for the files a run reads back: checkpoints (`--resume`) and experiment
/// YAML. Seeds are real files: checkpoints written by short toy runs, and every file in
/// `experiments/` (run the fuzzer from the package root).
enum RunFileTargets {
    /// A toy experiment per mode, its data (shared, so each input builds only a network),
    /// and a checkpoint of it after some training.
    struct Fixture {
        let experiment: Experiment
        let data: ExperimentData
        let checkpoint: [UInt8]
    }

    static func fixture(mode: Experiment.Mode) -> Fixture {
        do {
            var e = try ExperimentLoader.load(contentsOf: URL(fileURLWithPath: packagePath("experiments/xor-neuron.yaml")))
            e.mode = mode
            e.dataset.count = 120
            e.epochs = 400
            let s = try ExperimentSession(e)
            // Train until there is something to restore: two epochs, and with dendrites
            // until the first set has been added (and, in PB, its phase has ended).
            repeat { s.trainer.runEpoch() }
            while s.trainer.epoch < 2 || (mode != .none && (s.network.dendriteCount == 0 || !TrainingSnapshot.isRestorable(s.trainer)))
            let ckpt = try TrainingSnapshot.capture(experiment: e, trainer: s.trainer)
            return Fixture(experiment: e, data: s.data, checkpoint: [UInt8](try ckpt.encoded()))
        } catch {
            fatalError("dendrite-fuzz: cannot build the checkpoint seed from the package's experiments/xor-neuron.yaml: \(error)")
        }
    }

    static func checkpoint() -> FuzzTarget {
        let fixtures = [Experiment.Mode.none, .gd, .pb].map(fixture)
        return FuzzTarget(name: "checkpoint", seeds: fixtures.map(\.checkpoint)) { bytes, file in
            let ckpt = try Checkpoint.decode(Data(bytes), file: file)
            // What `--resume` does next: restore into a fresh trainer of the experiment the
            // checkpoint names (or any, when that document is damaged), then train a step,
            // which touches every restored index and buffer.
            let saved = try? TrainingSnapshot.document(Experiment.self, "experiment", in: ckpt, file: file)
            let f = fixtures.first { $0.experiment.mode == saved?.mode } ?? fixtures[bytes.count % fixtures.count]
            let session = try ExperimentSession(f.experiment, data: f.data)
            try TrainingSnapshot.restore(ckpt, file: file, into: session.trainer)
            if !session.trainer.isFinished { session.trainer.stepBatch() }
        }
    }

    static func experimentSeeds() -> [[UInt8]] {
        let dir = packagePath("experiments")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        guard !names.isEmpty else { fatalError("dendrite-fuzz: no *.yaml in \(dir)") }
        return names.compactMap { FileManager.default.contents(atPath: dir + "/" + $0).map { [UInt8]($0) } }
    }

    static func experiment() -> FuzzTarget {
        FuzzTarget(name: "experiment", seeds: experimentSeeds()) { bytes, file in
            let e = try ExperimentLoader.decode(yaml: String(decoding: bytes, as: UTF8.self), file: file)
            // A file the loader accepts must build: the network from its spec (when small
            // enough to be quick) and its layers' shapes through one forward pass.
            guard e.network.plainParameterCount <= 200_000 else { return }
            var rng = RNG(seed: e.seed)
            let net = Network(spec: e.network, rng: &rng)
            _ = net.forward(Tensor(shape: [1] + e.network.inputShape), training: false)
        }
    }

    /// Lesson files: Markdown with YAML front matter and per-step settings blocks.
    static func lesson() -> FuzzTarget {
        let dir = packagePath("lessons")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()
        guard !names.isEmpty else { fatalError("dendrite-fuzz: no lessons *.md in \(dir)") }
        let seeds = names.compactMap { FileManager.default.contents(atPath: dir + "/" + $0).map { [UInt8]($0) } }
        return FuzzTarget(name: "lesson", seeds: seeds) { bytes, file in
            let lesson = try LessonLoader.parse(String(decoding: bytes, as: UTF8.self), file: file)
            // Every step of an accepted lesson must build its network.
            for step in lesson.steps where step.experiment.network.plainParameterCount <= 200_000 {
                var rng = RNG(seed: step.experiment.seed)
                _ = Network(spec: step.experiment.network, rng: &rng)
            }
        }
    }
}

/// A path inside the package this fuzzer was built from (its seeds are the package's own
/// experiment and lesson files), so it runs from any folder.
func packagePath(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(relative).path
}
