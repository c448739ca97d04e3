import DendriteCore
import DendriteLab
import Foundation

/// Fuzz targets that reach past the parsers: the input bytes are a source of choices
/// (like libFuzzer's FuzzedDataProvider) from which a *well-formed* experiment, lesson or
/// checkpoint metadata is generated, with values drawn from edge cases (0, 1, negative,
/// huge, shapes that disagree with the data, classes that exceed the outputs). What
/// parses must then validate or be refused in one line; what validates must build, train
/// a few batches, checkpoint, and restore into a fresh session and into the Lab's
/// session. A trap anywhere is a crash.
enum SemanticTargets {
    /// Reads choices from the input bytes; past the end every choice is the first option.
    struct Choices {
        let bytes: [UInt8]
        var at = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        mutating func byte() -> Int {
            defer { at += 1 }
            return at < bytes.count ? Int(bytes[at]) : 0
        }
        mutating func pick<T>(_ options: [T]) -> T { options[byte() % options.count] }
        mutating func chance(_ percent: Int) -> Bool { byte() % 100 < percent }
        /// Mostly a usual value, sometimes an edge case (so most inputs get past validation).
        mutating func pick<T>(_ usual: [T], edge: [T]) -> T { chance(12) ? pick(edge) : pick(usual) }
    }

    /// Data the generated experiments point at: csv files and small IDX folders.
    static let folder: String = {
        let dir = NSTemporaryDirectory() + "dendrite-fuzz-semantic-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func csv(_ name: String, classes: Int, rows: Int, newline: String) {
            var t = "x,y,label" + newline
            for i in 0..<rows { t += "\(Float(i % 7) / 7),\(Float(i % 5) / 5),\(i % classes)" + newline }
            FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(t.utf8))
        }
        csv("two.csv", classes: 2, rows: 30, newline: "\n")
        csv("three.csv", classes: 3, rows: 30, newline: "\r\n")
        csv("tiny.csv", classes: 2, rows: 3, newline: "\n")
        func idx(_ name: String, train: Int, test: Int, side: Int, testSide: Int) {
            let d = dir + "/" + name
            try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
            func write(_ a: IDXArray, _ f: String) { try? IDXWriter.write(a, to: d + "/" + f) }
            write(IDXArray(dims: [train, side, side], bytes: (0..<(train * side * side)).map { UInt8($0 % 251) }), "train-images-idx3-ubyte")
            write(IDXArray(dims: [train], bytes: (0..<train).map { UInt8($0 % 10) }), "train-labels-idx1-ubyte")
            write(IDXArray(dims: [test, testSide, testSide], bytes: (0..<(test * testSide * testSide)).map { UInt8($0 % 241) }), "t10k-images-idx3-ubyte")
            write(IDXArray(dims: [test], bytes: (0..<test).map { UInt8($0 % 10) }), "t10k-labels-idx1-ubyte")
        }
        idx("mnist", train: 24, test: 8, side: 28, testSide: 28)
        idx("small", train: 24, test: 8, side: 3, testSide: 3)
        idx("mixed", train: 24, test: 8, side: 28, testSide: 5)
        idx("empty", train: 0, test: 8, side: 28, testSide: 28)
        return dir
    }()

    static let sizes = [1, 2, 3, 4, 8, 16]
    static let edgeSizes = [0, -1, 65_536, 65_537, 10_000_000, Int.max]

    /// The settings of one experiment as YAML lines (top-level keys), chosen from `c`.
    static func settings(_ c: inout Choices, full: Bool) -> [String] {
        var lines: [String] = []
        var name = "xor"
        if full || c.chance(30) {
            name = c.pick(["xor", "circle", "spiral", "moons", "gaussians", "checkerboard", "corners", "csv", "mnist", "xor", "moons"],
                              edge: ["fashion-mnist", "cifar10"])
            var d = ["name: \(name)"]
            switch name {
            case "csv": d.append("file: \(folder)/\(c.pick(["two.csv", "three.csv"], edge: ["tiny.csv", "missing.csv"]))")
            case "mnist", "fashion-mnist", "cifar10": d.append("directory: \(folder)/\(c.pick(["mnist"], edge: ["small", "mixed", "empty"]))")
                if c.chance(30) { d.append("limit: \(c.pick([10, 12, 100], edge: [0, 9]))") }
            default: d.append("count: \(c.pick([40, 64, 20], edge: [4, 5, 0, 100_000_000]))")
                if c.chance(30) { d.append("test_count: \(c.pick([1, 8], edge: [0]))") }
                if c.chance(20) { d.append("noise: \(c.pick(["0.1", "0"], edge: ["-1", "nan", "11"]))") }
            }
            if c.chance(40) { d.append("validation: \(c.pick(["0.2", "0.5", "0.3"], edge: ["0.9", "0.01", "0", "1"]))") }
            lines.append("dataset: {\(d.joined(separator: ", "))}")
        }
        if full || c.chance(30) {
            var layers: [String] = []
            for _ in 0..<(1 + c.byte() % 4) {
                switch c.byte() % 8 {
                case 0, 1: layers.append("dense \(c.pick(sizes, edge: edgeSizes))")
                case 2 where name == "mnist" || name == "cifar10" || c.chance(20): layers.append("conv \(c.pick(sizes, edge: edgeSizes)) \(c.pick([1, 2, 3], edge: [0, 2000]))x\(c.pick([1, 2, 3]))"
                                      + (c.chance(30) ? " stride \(c.pick([1, 2], edge: [5000]))" : "") + (c.chance(30) ? " pad \(c.pick([0, 1], edge: [Int.max]))" : ""))
                case 3 where c.chance(50):
                    layers.append("dendritic \(c.pick([2, 4], edge: [0, 65_536]))x\(c.pick([1, 2], edge: [0]))x\(c.pick([1, 2], edge: [0, 5000]))"
                                  + (c.chance(70) ? " \(c.pick(["local", "random", "global"], edge: ["near"]))" : ""))
                case 3: layers.append("maxpool \(c.pick([2, 1], edge: [3, 0]))")
                case 4: layers.append("flatten")
                default: layers.append(c.pick(["relu", "tanh", "sigmoid"]))
                }
            }
            // The output layer mostly fits the dataset's classes.
            let outputs = name == "mnist" || name == "fashion-mnist" || name == "cifar10" ? 10 : name == "csv" ? 3 : 2
            layers.append("dense \(c.pick([outputs], edge: [1, 2, 3, 10]))")
            var net = "network: {layers: [\(layers.joined(separator: ", "))]"
            if c.chance(40) {
                let fits = name == "mnist" || name == "fashion-mnist" ? ["[1, 28, 28]", "[784]"] : name == "cifar10" ? ["[3, 32, 32]"] : ["[2]", "[1, 1, 2]", "[2, 1, 1]"]
                net += ", input: \(c.pick(fits, edge: ["[1, 2, 1]", "[1, 784, 1]", "[2, 1]", "[3, 32, 32]"]))"
            }
            lines.append(net + "}")
        }
        if full || c.chance(30) { lines.append("mode: \(c.pick(["none", "gd", "pb"]))") }
        if c.chance(40) {
            var d: [String] = []
            if c.chance(50) { d.append("max_dendrites: \(c.pick([1, 2], edge: [0, 100]))") }
            if c.chance(50) { d.append("switch: \(c.pick(["fixed", "plateau", "never"]))") }
            if c.chance(50) { d.append("fixed_interval: \(c.pick([1, 2]))") }
            if c.chance(30) { d.append("max_p_epochs: \(c.pick([1, 2]))") }
            if c.chance(30) { d.append("n_epochs_to_switch: \(c.pick([1, 2]))") }
            if c.chance(30) { d.append("layers: \(c.pick(["all", "[0]"], edge: ["[1]", "[0, 2]", "[]"]))") }
            if c.chance(20) { d.append("improvement_thresholds: \(c.pick(["[0]", "[1, 0.5]", "[0.001]"]))") }
            if c.chance(20) { d.append("score: \(c.pick(["loss", "accuracy"]))") }
            if c.chance(20) { d.append("activation: \(c.pick(["relu", "tanh", "sigmoid", "dcaap", "nmda"]))") }
            if c.chance(25) {
                d.append("inputs: \(c.pick(["all", "local 1", "random 2", "global 1", "local 16"], edge: ["local 0", "local 100000", "near 2", "local -1"]))")
            }
            if c.chance(20) { d.append("soma_inputs: \(c.pick(["false", "true"], edge: ["maybe"]))") }
            if c.chance(20) { d.append("candidate_pool: \(c.pick([1, 4], edge: [0, 100_000]))") }
            lines.append("dendrites: {\(d.joined(separator: ", "))}")
        }
        if c.chance(30) {
            lines.append("optimizer: {kind: \(c.pick(["adam", "sgd"])), lr: \(c.pick(["0.01", "100", "1e-12", "0.5"]))}")
        }
        if c.chance(20) { lines.append("schedule: {kind: \(c.pick(["step", "plateau", "constant"])), every: 1, factor: 0.5}") }
        if full || c.chance(30) { lines.append("epochs: \(c.pick([1, 2, 3], edge: [0]))") }
        if c.chance(50) { lines.append("batch_size: \(c.pick([8, 7, 32], edge: [1, 0, 1_000_000]))") }
        if c.chance(30) { lines.append("seed: \(c.pick([1, 2, 0]))") }
        return lines
    }

    /// Build, train a few batches, checkpoint, restore into a fresh session (and into
    /// the Lab's session when the problem is 2-D): the path a real run takes.
    static func exercise(_ e: Experiment, file: String) throws {
        // Validation runs for every input; networks that validate but would take seconds
        // per batch (up to the 8 GiB limit) are built only when under 64 MiB, to keep the
        // rate of inputs up.
        try e.validate(source: file)
        if case .success(let shapes) = e.network.inferredShapes(), e.estimatedBytes(shapes: shapes) > 64 << 20 { return }
        let s = try ExperimentSession(e, source: file)
        let t = s.trainer
        for _ in 0..<3 where !t.isFinished && t.divergence == nil { t.stepBatch() }
        // Finish a short epoch so it can be checkpointed. Bounded: a trainer that stopped
        // or diverged mid-epoch refuses further steps and would never reach batch 0.
        if t.batchesPerEpoch <= 8 {
            for _ in 0..<t.batchesPerEpoch where t.batchInEpoch != 0 && TrainingSnapshot.isRestorable(t) && t.divergence == nil && !t.isFinished {
                t.stepBatch()
            }
        }
        guard s.trainer.batchInEpoch == 0, TrainingSnapshot.isRestorable(s.trainer), s.trainer.divergence == nil else { return }
        let ckpt = try Checkpoint.decode(try TrainingSnapshot.capture(experiment: e, trainer: s.trainer).encoded(), file: file)
        let fresh = try ExperimentSession(e, data: s.data, source: file)
        try TrainingSnapshot.restore(ckpt, file: file, into: fresh.trainer)
        if !fresh.trainer.isFinished { fresh.trainer.stepBatch() }
        if e.network.inputShape.reduce(1, *) == 2, e.dataset.name.isToy || e.dataset.name == .csv {
            try LabSession(config: LabConfig(experiment: e)).restore(ckpt, file: file)
        }
    }

    static func experiment() -> FuzzTarget {
        FuzzTarget(name: "semantic-experiment", seeds: (0..<8).map { k in (0..<96).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ k &* 11) } }) { bytes, file in
            var c = Choices(bytes)
            let yaml = (["name: fuzz"] + settings(&c, full: true)).joined(separator: "\n") + "\n"
            if ProcessInfo.processInfo.environment["DENDRITE_FUZZ_BACKTRACE"] != nil { eprint(yaml) }
            let e = try ExperimentLoader.decode(yaml: yaml, file: file)
            try exercise(e, file: file)
        }
    }

    static func lesson() -> FuzzTarget {
        FuzzTarget(name: "semantic-lesson", seeds: (0..<8).map { k in (0..<160).map { UInt8(truncatingIfNeeded: $0 &* 53 &+ k &* 7) } }) { bytes, file in
            var c = Choices(bytes)
            var text = "---\ntitle: Fuzz\n" + settings(&c, full: true).joined(separator: "\n") + "\n---\n# Fuzz\n\nIntro.\n"
            for step in 0..<(1 + c.byte() % 3) {
                text += "\n## Step \(step + 1): try\n\nText.\n"
                let changed = settings(&c, full: false)
                if !changed.isEmpty || c.chance(30) {
                    text += "\n```yaml lab\n" + changed.joined(separator: "\n") + (c.chance(30) ? "\nexpect:\n  train_accuracy: \">= 0.5\"" : "") + "\n```\n"
                }
            }
            if ProcessInfo.processInfo.environment["DENDRITE_FUZZ_BACKTRACE"] != nil { eprint(text) }
            let lesson = try LessonLoader.parse(text, file: file)
            for step in lesson.steps { try exercise(step.experiment, file: file) }
        }
    }

    /// A real checkpoint per mode whose metadata documents are changed leaf by leaf
    /// (numbers to edge values, phases flipped, arrays shortened) but stay valid JSON,
    /// then restored as `--resume` and the Lab's Ctrl+O do.
    static func checkpointMetadata() -> FuzzTarget {
        let fixtures = [Experiment.Mode.none, .gd, .pb].map(RunFileTargets.fixture)
        let bases = fixtures.map { try! Checkpoint.decode(Data($0.checkpoint), file: "seed") }   // invariant: our own encoder's output
        let seeds = (0..<9).map { k in (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ k) } }
        return FuzzTarget(name: "semantic-checkpoint", seeds: seeds) { bytes, file in
            var c = Choices(bytes)
            let k = c.byte() % bases.count
            var ckpt = bases[k]
            for _ in 0..<(1 + c.byte() % 3) {
                let key = c.pick(["experiment", "architecture", "trainer", "dendrites", "optimizer"])
                guard let text = ckpt.metadata[key], let doc = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { continue }
                let changed = mutateJSON(doc, &c, depth: 0)
                guard let data = try? JSONSerialization.data(withJSONObject: changed, options: [.fragmentsAllowed]) else { continue }
                ckpt.metadata[key] = String(decoding: data, as: UTF8.self)
            }
            // As `train --resume` does: the experiment the checkpoint names, validated, then restored.
            let saved = try TrainingSnapshot.document(Experiment.self, "experiment", in: ckpt, file: file)
            let session = try ExperimentSession(saved, data: saved.dataset == fixtures[k].experiment.dataset ? fixtures[k].data : nil, source: file)
            try TrainingSnapshot.restore(ckpt, file: file, into: session.trainer)
            if !session.trainer.isFinished { session.trainer.stepBatch() }
            // As the Lab's Ctrl+O does.
            if saved.network.inputShape.reduce(1, *) == 2 { try LabSession(config: LabConfig()).restore(ckpt, file: file) }
        }
    }

    /// Changes one leaf in three (numbers, strings, booleans, array lengths).
    static func mutateJSON(_ v: Any, _ c: inout Choices, depth: Int) -> Any {
        if let d = v as? [String: Any] {
            var out = d
            for key in d.keys.sorted() { out[key] = mutateJSON(d[key]!, &c, depth: depth + 1) }
            return out
        }
        if var a = v as? [Any] {
            if c.chance(10), !a.isEmpty { a.removeLast() }
            if c.chance(5), let first = a.first { a.append(first) }
            return a.map { mutateJSON($0, &c, depth: depth + 1) }
        }
        guard c.chance(depth > 2 ? 10 : 20) else { return v }
        if let s = v as? String { return c.pick([s, "P", "N", "", "nan", "inf", "fixed", "pb", "gd", "none", "mnist", "csv"]) }
        if let b = v as? Bool, type(of: v) == Bool.self { return !b }
        if let n = v as? Int { return c.pick([0, 1, -1, 2, 3, 1000, Int(Int32.max), -5, n &+ 1]) }
        if let x = v as? Double { return c.pick([0, -1, 1e30, x * 2, 0.5]) }
        return v
    }
}
