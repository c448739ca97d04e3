import Foundation
import DendriteCore
import Testing

/// Every input `dendrite-lab train` and `render` read, broken one way at a time: the
/// program must exit non-zero with one line that names the file (and line where there is
/// one) and what was expected, without crashing and without leaving a run folder behind.
/// (Core-level reader tests live in DendriteCoreTests; unknown keys, `data` checksums and
/// the missing display are covered by TrainCommandTests, DataCommandTests, LabCommandTests.)
@Suite struct BadInputCLITests {
    /// Asserts a clean failure: error exit, no signal, one line holding each of `mentions`.
    func expectCleanFailure(_ r: CLI.Result, mentions: [String], _ context: String) {
        #expect(r.status != 0 && !r.crashed, "\(context): status \(r.status) crashed \(r.crashed); stderr \(r.stderr)")
        let message = r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!message.isEmpty && !message.contains("\n"), "\(context): not one line: \(r.stderr)")
        for m in mentions { #expect(message.contains(m), "\(context): '\(m)' missing from: \(message)") }
    }

    // MARK: Image files

    /// An IDX file: magic (0, 0, type 0x08 = bytes, rank), big-endian dimensions, data.
    static func idx(_ dims: [Int], fill: (Int) -> UInt8) -> [UInt8] {
        var b: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
        for d in dims { b += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        b += (0..<dims.reduce(1, *)).map(fill)
        return b
    }

    static func gzip(_ bytes: [UInt8], at path: String) throws {
        let raw = path + ".raw"
        FileManager.default.createFile(atPath: raw, contents: Data(bytes))
        // gzip writes the file itself (ChildProcess.run keeps a child's stdout as text).
        _ = try ChildProcess.run("/bin/sh", ["-c", "exec /bin/gzip -c -n \"$0\" > \"$1\"", raw, path])
        try FileManager.default.removeItem(atPath: raw)
    }

    enum Breakage: String, CaseIterable {
        case idxTruncated, idxWrongMagic, idxCorruptGzip, idxMissing, idxLabelCountMismatch
        case cifarWrongSize, cifarBadLabel
    }

    /// A valid folder of tiny MNIST or CIFAR-10 files with one of them broken; returns the
    /// experiment file, the broken file and words the message must contain.
    static func brokenDataset(_ b: Breakage, in folder: URL) throws -> (experiment: URL, file: String, expected: String) {
        let data = folder.appendingPathComponent("data").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        func path(_ name: String) -> String { (data as NSString).appendingPathComponent(name) }
        func put(_ bytes: [UInt8], _ name: String) { FileManager.default.createFile(atPath: path(name), contents: Data(bytes)) }
        let isCIFAR = b.rawValue.hasPrefix("cifar")
        if isCIFAR {
            let record = 3073
            for name in (1...5).map({ "data_batch_\($0).bin" }) + ["test_batch.bin"] {
                put((0..<(4 * record)).map { i in i % record == 0 ? UInt8(i / record % 10) : UInt8(i % 251) }, name)
            }
        } else {
            put(idx([20, 28, 28]) { UInt8($0 % 253) }, "train-images-idx3-ubyte")
            try gzip(idx([20]) { UInt8($0 % 10) }, at: path("train-labels-idx1-ubyte.gz"))
            put(idx([10, 28, 28]) { UInt8($0 % 241) }, "t10k-images-idx3-ubyte")
            put(idx([10]) { UInt8($0 % 10) }, "t10k-labels-idx1-ubyte")
        }
        var file = "", expected = ""
        switch b {
        case .idxTruncated:
            file = path("train-images-idx3-ubyte")
            put(Array(idx([20, 28, 28]) { UInt8($0 % 253) }.prefix(5000)), "train-images-idx3-ubyte")
            expected = "expected"
        case .idxWrongMagic:
            file = path("t10k-labels-idx1-ubyte")
            var bytes = idx([10]) { UInt8($0 % 10) }
            bytes[0] = 0x1f
            put(bytes, "t10k-labels-idx1-ubyte")
            expected = "expected an IDX header"
        case .idxCorruptGzip:
            file = path("train-labels-idx1-ubyte.gz")
            var gz = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            for i in stride(from: 12, to: gz.count - 8, by: 3) { gz[i] ^= 0x5a }
            put(gz, "train-labels-idx1-ubyte.gz")
            expected = "gzip"
        case .idxMissing:
            file = path("t10k-images-idx3-ubyte")
            try FileManager.default.removeItem(atPath: file)
            expected = "missing"
        case .idxLabelCountMismatch:
            file = path("t10k-labels-idx1-ubyte")
            put(idx([9]) { UInt8($0 % 10) }, "t10k-labels-idx1-ubyte")
            expected = "10"
        case .cifarWrongSize:
            file = path("data_batch_3.bin")
            put([UInt8](repeating: 1, count: 2 * 3073 + 100), "data_batch_3.bin")
            expected = "3073"
        case .cifarBadLabel:
            file = path("test_batch.bin")
            put((0..<(2 * 3073)).map { $0 == 3073 ? 12 : 0 }, "test_batch.bin")
            expected = "12"
        }
        let experiment = folder.appendingPathComponent("broken.yaml")
        try RunFolder.write("""
            name: broken
            dataset: {name: \(isCIFAR ? "cifar10" : "mnist"), directory: "\(data)", validation: 0.25}
            network:
              input: \(isCIFAR ? "[3, 32, 32]" : "[1, 28, 28]")
              layers: [flatten, dense 10]
            epochs: 1
            batch_size: 4
            """, to: experiment)
        return (experiment, file, expected)
    }

    @Test func theUnbrokenTinyDatasetsTrain() throws {
        for b in [Breakage.idxMissing, .cifarWrongSize] {
            let folder = CLI.temporaryFolder("good-data")
            let (experiment, file, _) = try Self.brokenDataset(b, in: folder)
            // Undo the breakage: the same folder with every file intact must train.
            if b == .idxMissing {
                FileManager.default.createFile(atPath: file, contents: Data(Self.idx([10, 28, 28]) { UInt8($0 % 241) }))
            } else {
                FileManager.default.createFile(atPath: file, contents: Data((0..<(4 * 3073)).map { i in i % 3073 == 0 ? 3 : 7 }))
            }
            let r = try CLI.run(["train", experiment.path, "--out", folder.appendingPathComponent("run").path])
            #expect(r.status == 0, "\(b): \(r.stderr)")
        }
    }

    @Test(arguments: Breakage.allCases)
    func brokenDatasetFileIsNamedAndNoRunFolderIsLeft(_ b: Breakage) throws {
        let folder = CLI.temporaryFolder("bad-data")
        let (experiment, file, expected) = try Self.brokenDataset(b, in: folder)
        let out = folder.appendingPathComponent("run")
        let r = try CLI.run(["train", experiment.path, "--out", out.path], environment: ["DENDRITE_OFFLINE": "1"])
        expectCleanFailure(r, mentions: [file, expected], "\(b)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "\(b): left \(out.path) behind")
    }

    // MARK: Experiment files

    /// Each case: a bad line, the text that marks the bad value, and a word the message must use.
    @Test(arguments: [
        ("optimizer: {kind: adam, lr: .nan}", ".nan", "lr"),
        ("optimizer: {kind: sgd, lr: .inf}", ".inf", "lr"),
        ("dataset: {name: spiral, count: -5}", "-5", "count"),
        ("network:\n  layers: [dense -3, dense 2]", "-3", "dense"),
        ("batch_size: 0", "batch_size", "batch_size"),
    ])
    func badExperimentValueNamesFileLineAndExpectation(_ line: String, _ marker: String, _ word: String) throws {
        let folder = CLI.temporaryFolder("bad-yaml")
        let file = folder.appendingPathComponent("bad.yaml")
        var text = "name: bad\nepochs: 2\nseed: 1\n"
        if !line.hasPrefix("dataset") { text += "dataset: {name: spiral, count: 100}\n" }
        text += line + "\n"
        if !line.hasPrefix("network") { text += "network:\n  layers: [dense 4, tanh, dense 2]\n" }
        try RunFolder.write(text, to: file)
        let lineNumber = 1 + text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(marker) }!
        let out = folder.appendingPathComponent("run")
        let r = try CLI.run(["train", file.path, "--out", out.path])
        expectCleanFailure(r, mentions: ["\(file.path):\(lineNumber):", word, "expected"], line)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func missingExperimentFileIsNamed() throws {
        let folder = CLI.temporaryFolder("no-yaml")
        let file = folder.appendingPathComponent("nowhere.yaml").path
        let r = try CLI.run(["train", file, "--out", folder.appendingPathComponent("run").path])
        expectCleanFailure(r, mentions: [file, "cannot read the file", "expected a readable UTF-8 YAML file"], "missing file")
    }

    // MARK: Checkpoints

    enum CheckpointDamage: String, CaseIterable { case truncated, garbageHeader, hugeHeaderLength, empty }

    @Test(arguments: CheckpointDamage.allCases)
    func damagedCheckpointIsRefusedOnResumeAndTheFolderStaysAsItWas(_ damage: CheckpointDamage) throws {
        let folder = CLI.temporaryFolder("bad-ckpt")
        let out = folder.appendingPathComponent("run")
        let first = try CLI.run(["train", "experiments/xor-neuron.yaml", "--mode", "none", "--epochs", "2", "--out", out.path])
        #expect(first.status == 0, "\(first.stderr)")
        let ckpt = out.appendingPathComponent("checkpoint.safetensors")
        var bytes = [UInt8](try Data(contentsOf: ckpt))
        switch damage {
        case .truncated: bytes = Array(bytes.prefix(bytes.count * 2 / 3))
        case .garbageHeader: for i in 8..<min(40, bytes.count) { bytes[i] = 0x7b }
        case .hugeHeaderLength: bytes.replaceSubrange(0..<8, with: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
        case .empty: bytes = []
        }
        try Data(bytes).write(to: ckpt)
        let metricsBefore = try Data(contentsOf: out.appendingPathComponent("metrics.csv"))
        let r = try CLI.run(["train", "experiments/xor-neuron.yaml", "--mode", "none", "--epochs", "4", "--out", out.path, "--resume"])
        expectCleanFailure(r, mentions: [ckpt.path], "\(damage)")
        #expect(try Data(contentsOf: ckpt) == Data(bytes), "\(damage): checkpoint changed")
        #expect(try Data(contentsOf: out.appendingPathComponent("metrics.csv")) == metricsBefore, "\(damage): metrics changed")
    }

    @Test func resumeWithoutARunSaysSo() throws {
        let out = CLI.temporaryFolder("no-run").appendingPathComponent("run")
        let r = try CLI.run(["train", "experiments/xor-neuron.yaml", "--out", out.path, "--resume"])
        expectCleanFailure(r, mentions: [out.appendingPathComponent("checkpoint.safetensors").path, "no checkpoint"], "resume")
    }

    // MARK: Command line and output folder

    @Test(arguments: [
        (["--epochs", "-1"], "--epochs must be at least 1, got -1"),
        (["--epochs", "0"], "--epochs must be at least 1, got 0"),
        (["--mode", "xyz"], "The value 'xyz' is invalid for '--mode <mode>'. Please provide one of 'none', 'gd' or 'pb'."),
        (["--threads", "0"], "--threads must be at least 1, got 0"),
        (["--seed", "abc"], "'abc' is invalid for '--seed"),
        (["--epochs", "many"], "'many' is invalid for '--epochs"),
    ])
    func badCommandLineValueIsOneSentence(_ args: [String], _ expected: String) throws {
        let out = CLI.temporaryFolder("bad-args").appendingPathComponent("run")
        let r = try CLI.run(["train", "experiments/xor-neuron.yaml", "--out", out.path] + args)
        expectCleanFailure(r, mentions: [expected], "\(args)")
        #expect(r.status == 64)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// Tests run as root, for whom chmod does not deny writing; a path under a regular file
    /// cannot be created by anyone.
    @Test func unwritableOutputFolderIsNamed() throws {
        let folder = CLI.temporaryFolder("no-write")
        let blocker = folder.appendingPathComponent("a-file")
        try RunFolder.write("not a folder\n", to: blocker)
        let out = blocker.appendingPathComponent("run").path
        let r = try CLI.run(["train", "experiments/xor-neuron.yaml", "--epochs", "1", "--out", out])
        expectCleanFailure(r, mentions: [out, "Not a directory", "expected a writable folder"], "out")
    }

    // MARK: The Lab's font and PNG output

    @Test(arguments: [("/nonexistent/DejaVuSans.ttf", "font not found"), ("/etc/passwd", "not a readable TrueType font")])
    func badFontIsNamedAndNoPNGIsWritten(_ font: String, _ expected: String) throws {
        let png = CLI.temporaryFolder("font").appendingPathComponent("lab.png").path
        let r = try CLI.run(["render", "--out", png, "--epochs", "0"], environment: ["DENDRITE_FONT": font, "DISPLAY": ""])
        expectCleanFailure(r, mentions: [font, expected], font)
        #expect(!FileManager.default.fileExists(atPath: png))
    }

    @Test func unwritablePNGIsNamed() throws {
        let folder = CLI.temporaryFolder("png")
        let blocker = folder.appendingPathComponent("a-file")
        try RunFolder.write("x\n", to: blocker)
        let png = blocker.appendingPathComponent("lab.png").path
        let r = try CLI.run(["render", "--out", png, "--epochs", "0"], environment: ["DISPLAY": ""])
        expectCleanFailure(r, mentions: [png, "could not write PNG"], "png")
    }
}
