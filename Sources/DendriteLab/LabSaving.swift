import Foundation
import DendriteCore

/// Ctrl+S / Ctrl+O and `dendrite-lab lab --load`: the Lab's network saved and loaded in
/// the experiments' checkpoint format (safetensors; `TrainingSnapshot`), so a network
/// grown in the Lab can be resumed there or inspected with any safetensors reader.
extension LabController {
    /// Saves the run as `lab-<timestamp>.safetensors` in `saveDirectory` (written
    /// atomically) and says so in the status line. Checkpoints sit between epochs, so a
    /// half-done epoch is finished first; during a PB dendrite phase (whose candidates
    /// are not part of the format) it declines. Returns the path written, or nil.
    @discardableResult
    public func saveNetwork(now: Date = Date()) -> String? {
        let trainer = session.trainer
        guard TrainingSnapshot.isRestorable(trainer) else {
            say("Cannot save during a dendrite phase (its candidates are not saved): save after it ends.")
            return nil
        }
        var finished = ""
        if trainer.batchInEpoch != 0 && !session.isFinished {
            session.stepEpoch()
            finished = "finished epoch \(trainer.epoch), "
            guard TrainingSnapshot.isRestorable(trainer) else {
                announceNewEvents()
                say("Epoch \(trainer.epoch) started a dendrite phase: save after it ends.")
                return nil
            }
        }
        let url = LabController.freshSaveURL(in: saveDirectory, now: now)
        do {
            let ckpt = try TrainingSnapshot.capture(experiment: session.config.trainingExperiment, trainer: trainer)
            try ckpt.write(to: url)
            say("Saved \(url.path) (\(finished)epoch \(trainer.epoch), \(session.parameterCount) parameters)")
            return url.path
        } catch {
            say("Save failed: \(error)")
            return nil
        }
    }

    /// Loads `path` (a checkpoint from Ctrl+S or `dendrite-lab train`) and trains on from
    /// it. Throws a one-line error naming the file; the current run is kept then.
    public func loadNetwork(from path: String) throws {
        let url = URL(fileURLWithPath: path)
        let ckpt = try Checkpoint.read(from: url)
        try session.restore(ckpt, file: path)
        var s = state
        s.playing = false
        s.selected = nil
        if case .neuron = s.hovered { s.hovered = nil }
        restore(s)
        let what = "Loaded \(path): epoch \(session.trainer.epoch), \(session.dendriteSets) dendrite set\(session.dendriteSets == 1 ? "" : "s")"
        // A finished run (e.g. a `train` checkpoint at its epoch budget) holds its best
        // model; like any finished run in the Lab, D grows it further.
        say(what + (session.isFinished ? "; a finished run: D adds dendrites, R starts over" : "; Space trains on"), frames: 600)
    }

    /// Ctrl+O: the newest `lab-*.safetensors` in `saveDirectory`; errors go to the status line.
    public func loadNewestNetwork() {
        guard let path = LabController.newestSave(in: saveDirectory) else {
            say("No lab-*.safetensors in \(saveDirectory): Ctrl+S saves one.")
            return
        }
        do { try loadNetwork(from: path) } catch { say("Load failed: \(error)") }
    }

    /// A file dropped on the window: a checkpoint (.safetensors) is loaded, a CSV of
    /// x,y,label rows becomes the playground's data. Problems go to the status line.
    public func openFile(_ path: String) {
        if path.lowercased().hasSuffix(".csv") {
            var c = session.config
            do {
                try c.usePoints(file: path)
            } catch {
                say("\(error)", frames: 600)
                return
            }
            session.reconfigure { $0 = c }
            var s = state
            s.selected = nil
            restore(s)
            say("Playing \(path): \(session.train.count + session.validation.count) points; training restarted")
        } else {
            do { try loadNetwork(from: path) } catch { say("Load failed: \(error)", frames: 600) }
        }
    }

    /// `lab-YYYYMMDD-HHMMSS.safetensors`, with -2, -3, ... when that name is taken.
    static func freshSaveURL(in directory: String, now: Date) -> URL {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd-HHmmss"
        let stem = "lab-" + f.string(from: now)
        let folder = URL(fileURLWithPath: directory)
        var url = folder.appendingPathComponent(stem + ".safetensors")
        var n = 2
        while FileManager.default.fileExists(atPath: url.path) {
            url = folder.appendingPathComponent("\(stem)-\(n).safetensors")
            n += 1
        }
        return url
    }

    /// The most recently modified `lab-*.safetensors` in `directory`, if any.
    static func newestSave(in directory: String) -> String? {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return nil }
        let saves = names.filter { $0.hasPrefix("lab-") && $0.hasSuffix(".safetensors") }.map {
            URL(fileURLWithPath: directory).appendingPathComponent($0).path
        }
        func modified(_ p: String) -> Date {
            (try? fm.attributesOfItem(atPath: p)[.modificationDate] as? Date) ?? .distantPast
        }
        return saves.max { (modified($0), $0) < (modified($1), $1) }
    }
}
