import Foundation

/// What a finished run reports in `summary.json` (and what `compare` reads back).
public struct RunSummary: Codable, Equatable, Sendable {
    public var name: String
    public var dataset: String
    public var mode: String
    public var seed: UInt64
    /// Parameters of the model the test accuracy was measured on.
    public var parameters: Int
    public var dendriteSets: Int
    public var bestValidationAccuracy: Float
    public var bestEpoch: Int
    /// Test accuracy of the best-validation model (early stopping on validation).
    public var testAccuracy: Float
    public var testLoss: Float
    /// Test accuracy of the model after the last epoch. With dendrites the trainer
    /// ends on its best model, so this equals `testAccuracy` there.
    public var finalTestAccuracy: Float
    public var epochs: Int
    /// Wall-clock seconds the run took: the last invocation from start to finish,
    /// checkpoint writing included, plus the epoch times of earlier ones after --resume.
    public var wallSeconds: Double
    /// Training samples per second of epoch time (training plus validation, no I/O).
    public var samplesPerSecond: Double
    /// Of `epochs`, those of the neuron phase (what the budget counts) and of dendrite
    /// phases (candidates only), and the epoch seconds each took.
    public var neuronEpochs: Int?
    public var dendriteEpochs: Int?
    public var neuronSeconds: Double?
    public var dendriteSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case name, dataset, mode, seed, parameters
        case dendriteSets = "dendrite_sets"
        case bestValidationAccuracy = "best_validation_accuracy"
        case bestEpoch = "best_epoch"
        case testAccuracy = "test_accuracy"
        case testLoss = "test_loss"
        case finalTestAccuracy = "final_test_accuracy"
        case epochs
        case neuronEpochs = "n_epochs", dendriteEpochs = "p_epochs"
        case neuronSeconds = "n_seconds", dendriteSeconds = "p_seconds"
        case wallSeconds = "wall_seconds"
        case samplesPerSecond = "samples_per_second"
    }
}

/// The output folder of one run:
///
///     config.yaml              the resolved experiment (file plus command-line overrides)
///     source.yaml              the experiment file as given, when there was one
///     metrics.csv              one row per epoch, appended and fsynced as epochs finish
///     events.jsonl             one JSON object per auditable event (start, resume, phase
///                              changes, dendrite additions, switch decisions, stop, finish)
///     checkpoint.safetensors   state after the last finished epoch (resume from here)
///     best.safetensors         parameters with the best validation accuracy so far
///     summary.json             written when the run finishes
///     curves.png               drawn by the CLI with the Lab's CurvesView (RunPlots.swift)
///
/// Whole files are written atomically; the two growing files are appended line by line.
public final class RunWriter {
    public let folder: URL
    public static let metricsHeader = "epoch,phase,dendrites,parameters,train_loss,train_acc,val_loss,val_acc,lr,n_epochs,p_epochs,seconds"

    private var metrics: AppendingFile?
    private var events: AppendingFile?
    private var folderLock: RunFolderLock?

    public init(folder: URL) {
        self.folder = folder
    }

    public var checkpointURL: URL { folder.appendingPathComponent("checkpoint.safetensors") }
    public var bestURL: URL { folder.appendingPathComponent("best.safetensors") }
    public var summaryURL: URL { folder.appendingPathComponent("summary.json") }
    public var metricsURL: URL { folder.appendingPathComponent("metrics.csv") }
    public var eventsURL: URL { folder.appendingPathComponent("events.jsonl") }
    public var configURL: URL { folder.appendingPathComponent("config.yaml") }

    /// Removes what a run killed before its first checkpoint wrote, so `start` can begin
    /// it again (nothing is lost: without a checkpoint there is no state past epoch 0).
    public func discardUnfinished() throws {
        removeTemporaries()
        for url in [metricsURL, eventsURL, bestURL, summaryURL] where FileManager.default.fileExists(atPath: url.path) {
            do { try FileManager.default.removeItem(at: url) } catch {
                throw FileError(path: url.path, problem: "cannot remove it to restart the run (\(error.localizedDescription))")
            }
        }
    }

    /// Deletes temporary files of atomic writes cut short by a kill (`.NAME.tmp-PID`);
    /// the files they were meant to replace are intact.
    public func removeTemporaries() {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
            try? fm.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Creates the folder if needed and takes its `.lock` (see `RunFolderLock`); every
    /// run holds it from before its first write until `close`.
    public func lock() throws {
        guard folderLock == nil else { return }
        try RunWriter.makeFolder(folder.path)
        folderLock = try RunFolderLock(folder: folder)
    }

    /// What a run writes in its folder; `start` refuses to write among anything else.
    static let runFiles: Set<String> = ["config.yaml", "source.yaml", "metrics.csv", "events.jsonl", "checkpoint.safetensors",
                                        "best.safetensors", "summary.json", "curves.png"]

    /// Starts a fresh run folder; refuses one that already holds a run, and one that
    /// holds anything other than the files of a run restarted from scratch
    /// (`restarting`: config.yaml written by `start`, source.yaml, curves.png).
    public func start(experiment: Experiment, sourceText: String?, sourceName: String?, restarting: Bool = false) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: checkpointURL.path) || fm.fileExists(atPath: metricsURL.path) {
            throw FileError(path: folder.path, problem: "already holds a run; pass --resume to continue it or choose another --out")
        }
        try lock()
        removeTemporaries()
        let present = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0 != ".lock" }.sorted()
        let isRestart = restarting && present.allSatisfy { RunWriter.runFiles.contains($0) } && RunWriter.isRunConfig(configURL)
        if !present.isEmpty && !isRestart {
            let shown = present.prefix(3).joined(separator: ", ") + (present.count > 3 ? ", ..." : "")
            throw FileError(path: folder.path, problem: "is not empty (\(shown)) and holds no run of this experiment; choose a new or empty folder for --out")
        }
        var header = "# Resolved experiment"
        if let sourceName { header += " from \(sourceName)" }
        header += " (command-line overrides applied). Rerun: dendrite-lab train config.yaml\n"
        try AtomicFile.write(header + experiment.yamlText, to: configURL)
        if let sourceText { try AtomicFile.write(sourceText, to: folder.appendingPathComponent("source.yaml")) }
        try AtomicFile.write(RunWriter.metricsHeader + "\n", to: metricsURL)
        try AtomicFile.write("", to: eventsURL)
        try openAppending()
    }

    /// Creates `path` and its missing parents, naming the first one that fails and why
    /// ("Not a directory" when a parent is a file, "Permission denied").
    static func makeFolder(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw FileError(path: path, problem: "cannot create the run folder (\(current): \(String(cString: strerror(errno)))); expected a writable folder path for --out")
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileError(path: path, problem: "cannot create the run folder (a file is in the way); expected a writable folder path for --out")
        }
    }

    /// Reopens a folder for a resumed run: metrics.csv is rewritten from the checkpoint's
    /// history and events.jsonl keeps only events up to the checkpoint's epoch, so rows
    /// written after the last checkpoint (an epoch cut short) do not appear twice.
    public func resume(history: [EpochMetrics]) throws {
        try lock()
        removeTemporaries()
        let epoch = history.last?.epoch ?? 0
        try AtomicFile.write(RunWriter.metricsHeader + "\n" + history.map(RunWriter.csvRow).joined(), to: metricsURL)
        let old = (try? String(contentsOf: eventsURL, encoding: .utf8)) ?? ""
        let kept = old.split(separator: "\n").filter { line in
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let e = obj["epoch"] as? Int else { return true }
            return e <= epoch
        }
        try AtomicFile.write(kept.map { $0 + "\n" }.joined(), to: eventsURL)
        try? FileManager.default.removeItem(at: summaryURL)
        try openAppending()
    }

    private func openAppending() throws {
        metrics = try AppendingFile(url: metricsURL)
        events = try AppendingFile(url: eventsURL)
    }

    /// One metrics.csv line. Floats print in their shortest exact form, so identical
    /// runs give identical files (except the wall-clock `seconds` column).
    public static func csvRow(_ m: EpochMetrics) -> String {
        "\(m.epoch),\(m.phase.rawValue),\(m.dendrites),\(m.parameters),\(m.trainLoss),\(m.trainAccuracy),"
            + "\(m.validationLoss),\(m.validationAccuracy),\(m.learningRate),\(m.neuronEpochs),\(m.dendriteEpochs),"
            + "\(String(format: "%.4f", m.seconds))\n"
    }

    public func appendMetrics(_ m: EpochMetrics) throws {
        try metrics?.append(RunWriter.csvRow(m))
    }

    /// Appends `fields` as one JSON line; `event` names the kind and comes first when read.
    public func appendEvent(_ event: String, _ fields: [String: Any] = [:]) throws {
        var obj = fields
        obj["event"] = event
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])
        try events?.append(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// Records the auditable training events; returns false for the ones it ignores.
    @discardableResult
    public func record(_ event: TrainingEvent) throws -> Bool {
        switch event {
        case .phaseChanged(let epoch, let from, let to, let reason):
            try appendEvent("phase_changed", ["epoch": epoch, "from": from.rawValue, "to": to.rawValue, "reason": reason])
        case .dendriteAdded(let epoch, let dendrites, let layers, let correlations):
            try appendEvent("dendrite_added", ["epoch": epoch, "dendrites": dendrites, "layers": layers,
                                               "correlations": correlations.map { $0.isFinite ? Double($0) : 0 }])
        case .candidateCorrelation(let epoch, let inPhase, let heldOut, let batch):
            try appendEvent("candidate_correlation", ["epoch": epoch, "epoch_in_phase": inPhase,
                                                      "held_out": heldOut.isFinite ? Double(heldOut) : 0,
                                                      "batch": batch.isFinite ? Double(batch) : 0])
        case .decision(let epoch, let message):
            try appendEvent("decision", ["epoch": epoch, "message": message])
        case .diverged(let epoch, let batch, let layer, let message):
            try appendEvent("diverged", ["epoch": epoch, "batch": batch, "layer": layer, "message": message])
        case .batchDone, .epochDone:
            return false
        }
        return true
    }

    public func writeSummary(_ s: RunSummary) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try e.encode(s) + Data("\n".utf8), to: summaryURL)
    }

    /// Copies a finished run's files (`runFiles`) into `destination`, replacing what is there:
    /// the same experiment run again would write the same files, bar its wall seconds.
    public static func copyRun(from source: URL, to destination: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: destination, withIntermediateDirectories: true)
        for name in runFiles.sorted() where fm.fileExists(atPath: source.appendingPathComponent(name).path) {
            let to = destination.appendingPathComponent(name)
            try? fm.removeItem(at: to)
            try fm.copyItem(at: source.appendingPathComponent(name), to: to)
        }
    }

    public static func readSummary(in folder: URL) -> RunSummary? {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("summary.json")) else { return nil }
        return try? d.decode(RunSummary.self, from: data)
    }

    public func close() {
        metrics?.close()
        events?.close()
        folderLock?.release()
        folderLock = nil
    }

    /// True when `url` is a config.yaml that `start` wrote (its first line says so).
    static func isRunConfig(_ url: URL) -> Bool {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return false }
        return text.hasPrefix("# Resolved experiment")
    }
}
