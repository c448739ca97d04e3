import Foundation

/// Where each task of a sweep stands, read from its folder alone (so it works from any
/// node, while the sweep runs, after it was killed): what `sweep status` and
/// `compare --from` report.
public enum TaskState: Equatable, Sendable {
    /// Finished: its summary, and the table label (matched baselines: `NAME plain h32`).
    case finished(RunSummary, label: String)
    /// A matched baseline with nothing to train (its run grew no dendrites...).
    case noBaseline(reason: String)
    /// Failed: the first line of its `error.txt`.
    case failed(String)
    /// Its lock is held by a live process.
    case running(String)
    /// Started but not finished and nobody runs it (killed, stopped, timed out).
    case unfinished(String)
    /// Not started (a matched baseline also while its run has not finished).
    case missing

    public var isDone: Bool {
        switch self {
        case .finished, .noBaseline: return true
        default: return false
        }
    }
}

/// Files a sweep keeps next to the runs, and the rules for reading a task's state.
public enum SweepGather {
    /// `FOLDER/error.txt`: why the task's last attempt failed.
    public static let errorFile = "error.txt"

    public static func lockURL(_ directory: URL, _ index: Int) -> URL {
        directory.appendingPathComponent("locks").appendingPathComponent("task-\(index).lock")
    }

    public static func folder(_ directory: URL, _ task: SweepTask) -> URL {
        directory.appendingPathComponent(task.folder)
    }

    /// The experiment task `index` trains: the planned one, or for a matched baseline the
    /// one derived from its finished run (nil while that run has not finished).
    public static func experiment(_ plan: SweepPlan, _ index: Int, in directory: URL) -> (MatchedBaseline?, Experiment?) {
        let task = plan.tasks[index]
        guard let parentIndex = task.matches else { return (nil, task.experiment) }
        let parent = plan.tasks[parentIndex]
        guard let e = parent.experiment, case .finished(let summary, _) = state(plan, parentIndex, in: directory) else {
            return (nil, nil)
        }
        let baseline = MatchedBaseline.resolve(parent: e, parentLabel: parent.label, summary: summary)
        if case .run(let m, _) = baseline { return (baseline, m) }
        return (baseline, nil)
    }

    /// Another matched baseline of `plan` that is the very same run as task `index` and has
    /// finished: when a GD and a PB run end at the same size, their param-matched plain
    /// networks are the same experiment (same network, seed and budget), so one run serves
    /// both. Nil when there is none (or it is still running).
    public static func finishedTwin(_ plan: SweepPlan, _ index: Int, experiment: Experiment, in directory: URL) -> Int? {
        plan.tasks.indices.first { j in
            guard j != index, plan.tasks[j].matches != nil, case .finished = state(plan, j, in: directory) else { return false }
            return SweepGather.experiment(plan, j, in: directory).1 == experiment
        }
    }

    /// The state of task `index` of `plan` in the sweep folder `directory`.
    public static func state(_ plan: SweepPlan, _ index: Int, in directory: URL) -> TaskState {
        let task = plan.tasks[index]
        let folder = folder(directory, task)
        let (baseline, planned) = experiment(plan, index, in: directory)
        if case .skip(let reason) = baseline { return .noBaseline(reason: reason) }
        let writer = RunWriter(folder: folder)
        if let planned, let summary = RunWriter.readSummary(in: folder), writer.savedExperiment == planned {
            var label = task.label
            if case .run(_, let l) = baseline { label = l }
            return .finished(summary, label: label)
        }
        if let holder = TaskLock.liveHolder(lockURL(directory, index)) { return .running("on \(holder)") }
        if let text = try? String(contentsOf: folder.appendingPathComponent(errorFile), encoding: .utf8) {
            return .failed(text.split(separator: "\n").first.map(String.init) ?? "failed")
        }
        let fm = FileManager.default
        if let saved = writer.savedExperiment {
            let epoch = (try? String(contentsOf: writer.metricsURL, encoding: .utf8))
                .map { $0.split(separator: "\n").count - 1 } ?? 0
            if let planned, saved != planned, ({ var s = saved; s.epochs = planned.epochs; return s != planned })() {
                return .failed("\(folder.path) holds a run of a different experiment; remove it or choose another --out")
            }
            return .unfinished("stopped after epoch \(max(epoch, 0)) of \(planned?.epochs ?? saved.epochs)")
        }
        if fm.fileExists(atPath: writer.configURL.path) { return .unfinished("stopped before its first checkpoint") }
        return .missing
    }

    /// Every task's state, in index order.
    public static func states(_ plan: SweepPlan, in directory: URL) -> [TaskState] {
        plan.tasks.indices.map { state(plan, $0, in: directory) }
    }
}
