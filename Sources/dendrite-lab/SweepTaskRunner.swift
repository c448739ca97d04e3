import Foundation
import ArgumentParser
import DendriteCore

/// Runs one task of a sweep in this process: what `dendrite-lab sweep task DIR I` does
/// for local workers and Slurm array tasks alike. Under the task's lock it skips a
/// finished run, resumes an interrupted one, starts a new one, and on failure writes
/// the error to `FOLDER/error.txt` (removed again when a later attempt starts).
enum SweepTaskRunner {
    enum Outcome { case done, stopped }

    static func run(_ plan: SweepPlan, _ index: Int, in dir: URL) throws -> Outcome {
        let task = plan.tasks[index]
        let folder = SweepGather.folder(dir, task)
        let lock = try TaskLock.acquireWaiting(SweepGather.lockURL(dir, index)) { holder in
            say("Task \(index) (\(task.folder)) is running on \(holder); waiting for it to finish.")
        }
        defer { lock.release() }
        do {
            return try runLocked(plan, index, in: dir)
        } catch {
            let line = DendriteLabCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try? AtomicFile.write("task \(index) failed: \(line)\n", to: folder.appendingPathComponent(SweepGather.errorFile))
            throw error
        }
    }

    private static func runLocked(_ plan: SweepPlan, _ index: Int, in dir: URL) throws -> Outcome {
        let task = plan.tasks[index]
        let folder = SweepGather.folder(dir, task)
        if let parent = task.matches, !SweepGather.state(plan, parent, in: dir).isDone {
            // Normally the executor runs this after its dendrite run; if that has not
            // finished (submitted all at once, or resubmitted alone), run it first.
            say("Task \(index) (\(task.folder)) needs its dendrite run first: task \(parent) (\(plan.tasks[parent].folder)).")
            do {
                guard try run(plan, parent, in: dir) == .done else { return .stopped }
            } catch {
                throw ValidationError("its dendrite run, task \(parent), failed (\(plan.tasks[parent].folder)/error.txt)")
            }
        }
        let (baseline, planned) = SweepGather.experiment(plan, index, in: dir)
        if case .skip(let reason) = baseline {
            say(reason)
            return .done
        }
        guard let experiment = planned else {
            throw ValidationError("task \(index) has no experiment: its dendrite run has not finished")
        }
        let writer = RunWriter(folder: folder)
        let saved = writer.savedExperiment
        if RunWriter.readSummary(in: folder) != nil, saved == experiment {
            say("Reusing the finished run in \(folder.path)/")
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(SweepGather.errorFile))
            return .done
        }
        if task.matches != nil, saved == nil, let twin = SweepGather.finishedTwin(plan, index, experiment: experiment, in: dir) {
            try RunWriter.copyRun(from: SweepGather.folder(dir, plan.tasks[twin]), to: folder)
            say("Task \(index) (\(task.folder)) is the same run as task \(twin) (\(plan.tasks[twin].folder)): copied its results.")
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(SweepGather.errorFile))
            return .done
        }
        var resume = FileManager.default.fileExists(atPath: writer.configURL.path)
        if let saved {
            var s = saved
            s.epochs = experiment.epochs
            guard s == experiment else {
                throw ValidationError("\(folder.path) holds a run of a different experiment; remove it or choose another --out")
            }
            resume = true
        }
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(SweepGather.errorFile))
        if let threads = plan.threads { BLAS.threads = threads }
        CorePinning.pinTrainingThreads()   // only when the task runs on two or more threads (`train` says so)
        let fromFile = task.matches == nil
        let outcome = try RunLauncher.execute(experiment, folder: folder, sourceText: fromFile ? plan.sources[task.source] : nil,
                                              sourceName: fromFile ? task.source : nil, resume: resume)
        if case .stopped = outcome { return .stopped }
        return .done
    }
}
