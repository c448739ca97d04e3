import Foundation
import DendriteCore
#if canImport(Glibc)
import Glibc
#endif

/// The local executor of a sweep: up to `jobs` worker processes on this machine, each
/// running one task (`dendrite-lab sweep task DIR I`). Dendrite runs start first (their
/// matched baselines wait for them), then each baseline as soon as its run finishes,
/// then the plain runs. With one job the worker's output is this command's output;
/// with more, each task writes `DIR/logs/task-I.out` and this prints one line per task.
/// Ctrl-C stops the workers after their epoch (checkpoints saved); rerunning continues.
final class LocalPool {
    let plan: SweepPlan
    let directory: URL
    let jobs: Int

    struct Result {
        var failed: [Int] = []
        var interrupted = false
    }

    private var pending: [Int] = []
    private var done = Set<Int>()
    private var running: [Int: ChildProcess] = [:]
    private var result = Result()
    private var started = Date()

    init(plan: SweepPlan, directory: URL, jobs: Int) {
        self.plan = plan
        self.directory = directory
        self.jobs = jobs
    }

    /// The running executable, for the workers and the sbatch script.
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

    private var logs: URL { directory.appendingPathComponent("logs") }

    private func name(_ i: Int) -> String { "task \(i) \(plan.tasks[i].folder)" }

    func run() throws -> Result {
        started = Date()
        for i in plan.tasks.indices {
            switch SweepGather.state(plan, i, in: directory) {
            case .finished: say("Reusing the finished run in \(SweepGather.folder(directory, plan.tasks[i]).path)/"); done.insert(i)
            case .noBaseline(let reason): say(reason); done.insert(i)
            default: pending.append(i)
            }
        }
        if jobs > 1 { try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true) }
        var forwarded = false
        var told = Set<Int>()
        while true {
            let ready = readyTasks()
            if !Interrupt.requested {
                for i in ready where running.count < jobs {
                    // Run by another executor (another machine on a shared folder): later.
                    if let holder = TaskLock.liveHolder(SweepGather.lockURL(directory, i)) {
                        if told.insert(i).inserted { say("\(name(i)) is running on \(holder); doing other tasks meanwhile.") }
                        continue
                    }
                    try start(i)
                }
            } else if !forwarded {
                // Workers run in their own process groups: pass Ctrl-C on, once.
                forwarded = true
                for p in running.values where getpgid(p.pid) != getpgrp() { kill(p.pid, SIGINT) }
            }
            if running.isEmpty && (Interrupt.requested || ready.isEmpty) { break }
            usleep(100_000)
            for (i, p) in running {
                let ending: ChildProcess.Ending?
                // A child waitpid no longer knows has ended too (nothing else reaps it).
                do { ending = try p.poll() } catch { ending = .exited(255) }
                guard let ending else { continue }
                running[i] = nil
                finished(i, ending)
            }
        }
        result.interrupted = result.interrupted || Interrupt.requested
        return result
    }

    /// Tasks that can start now, best first: runs with a baseline waiting on them, then
    /// baselines, then the rest. Baselines of failed runs are given up.
    private func readyTasks() -> [Int] {
        for i in pending where plan.tasks[i].matches.map(result.failed.contains) == true {
            say("\(name(i)) skipped: its dendrite run failed.")
            result.failed.append(i)
        }
        pending.removeAll { result.failed.contains($0) }
        let hasBaseline = Set(plan.tasks.compactMap(\.matches))
        func rank(_ i: Int) -> Int { hasBaseline.contains(i) ? 0 : plan.tasks[i].isMatchedBaseline ? 1 : 2 }
        return pending.filter { i in plan.tasks[i].matches.map(done.contains) ?? true }
            .sorted { (rank($0), $0) < (rank($1), $1) }
    }

    private func start(_ i: Int) throws {
        let log = jobs > 1 ? logs.appendingPathComponent("task-\(i).out").path : nil
        // Its own process group: Ctrl-C reaches this pool, which passes it on once.
        running[i] = try ChildProcess(LocalPool.executable, ["sweep", "task", directory.path, "\(i)"],
                                      stdout: log, stderr: log, ownGroup: true)
        pending.removeAll { $0 == i }
        if jobs > 1 {
            say("[\(done.count + result.failed.count + running.count)/\(plan.tasks.count)] \(name(i)) started (log: logs/task-\(i).out)")
        }
    }

    /// Records how the worker for task `i` ended, from the task's folder.
    private func finished(_ i: Int, _ ending: ChildProcess.Ending) {
        let state = SweepGather.state(plan, i, in: directory)
        let elapsed = String(format: "%.0f s", Date().timeIntervalSince(started))
        if ending == .exited(130) || (Interrupt.requested && !state.isDone) {
            result.interrupted = true
            pending.append(i)
            return
        }
        switch state {
        case .finished(let s, _):
            done.insert(i)
            if jobs > 1 { say("\(name(i)) finished: test accuracy \(percent(s.testAccuracy)) (\(elapsed) into the sweep)") }
        case .noBaseline(let reason):
            done.insert(i)
            if jobs > 1 { say("\(name(i)) has nothing to train: \(reason)") }
        case .failed(let line):
            result.failed.append(i)
            say("\(name(i)) FAILED: \(line)")
        default:
            // Killed before it could write its error: write it here.
            result.failed.append(i)
            let how = ending.signal == nil ? "status" : "signal"
            let why = "task \(i) ended (\(how) \(ending.status)) without finishing"
            let folder = SweepGather.folder(directory, plan.tasks[i])
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try? AtomicFile.write(why + "\n", to: folder.appendingPathComponent(SweepGather.errorFile))
            say("\(name(i)) FAILED: \(why)")
        }
    }
}
