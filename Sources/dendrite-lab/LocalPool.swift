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
struct LocalPool {
    var plan: SweepPlan
    var directory: URL
    var jobs: Int

    struct Result {
        var failed: [Int] = []
        var interrupted = false
    }

    /// The running executable, for the workers.
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

    func run() throws -> Result {
        var result = Result()
        let n = plan.tasks.count
        var pending: [Int] = []
        var done = Set<Int>()
        for i in plan.tasks.indices {
            switch SweepGather.state(plan, i, in: directory) {
            case .finished: say("Reusing the finished run in \(SweepGather.folder(directory, plan.tasks[i]).path)/"); done.insert(i)
            case .noBaseline(let reason): say(reason); done.insert(i)
            default: pending.append(i)
            }
        }
        let hasBaseline = Set(plan.tasks.compactMap(\.matches))
        func rank(_ i: Int) -> Int { hasBaseline.contains(i) ? 0 : plan.tasks[i].isMatchedBaseline ? 1 : 2 }
        var running: [Int: Process] = [:]
        let logs = directory.appendingPathComponent("logs")
        if jobs > 1 { try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true) }
        let started = Date()
        var forwarded = false

        while true {
            // Baselines of failed runs cannot run.
            for i in pending where plan.tasks[i].matches.map(result.failed.contains) == true {
                say("Task \(i) (\(plan.tasks[i].folder)) skipped: its dendrite run failed.")
                result.failed.append(i)
            }
            pending.removeAll { result.failed.contains($0) }
            let ready = pending.filter { i in plan.tasks[i].matches.map(done.contains) ?? true }
                .sorted { (rank($0), $0) < (rank($1), $1) }
            if !Interrupt.requested {
                for i in ready.prefix(max(0, jobs - running.count)) {
                    running[i] = try spawn(i, logs: logs)
                    pending.removeAll { $0 == i }
                    if jobs > 1 { say("[\(done.count + result.failed.count + running.count)/\(n)] task \(i) \(plan.tasks[i].folder) started (log: logs/task-\(i).out)") }
                }
            }
            if running.isEmpty && (Interrupt.requested || ready.isEmpty) { break }
            if Interrupt.requested && !forwarded {
                // Workers in our process group got the terminal's Ctrl-C already.
                forwarded = true
                for p in running.values where getpgid(p.processIdentifier) != getpgrp() { kill(p.processIdentifier, SIGINT) }
            }
            usleep(100_000)
            for (i, p) in running where !p.isRunning {
                running[i] = nil
                let state = SweepGather.state(plan, i, in: directory)
                let elapsed = String(format: "%.0f s", Date().timeIntervalSince(started))
                if p.terminationStatus == 130 || (Interrupt.requested && !state.isDone) {
                    result.interrupted = true
                    pending.append(i)
                } else if state.isDone {
                    done.insert(i)
                    if jobs > 1, case .finished(let s, _) = state {
                        say("task \(i) \(plan.tasks[i].folder) finished: test accuracy \(percent(s.testAccuracy)) (\(elapsed) into the sweep)")
                    } else if jobs > 1, case .noBaseline(let reason) = state {
                        say("task \(i) \(plan.tasks[i].folder) has nothing to train: \(reason)")
                    }
                } else {
                    result.failed.append(i)
                    let why: String
                    if case .failed(let line) = state { why = line } else {
                        why = "task \(i) ended (\(p.terminationReason == .uncaughtSignal ? "signal" : "status") \(p.terminationStatus)) without finishing"
                        try? FileManager.default.createDirectory(at: SweepGather.folder(directory, plan.tasks[i]), withIntermediateDirectories: true)
                        try? AtomicFile.write(why + "\n", to: SweepGather.folder(directory, plan.tasks[i]).appendingPathComponent(SweepGather.errorFile))
                    }
                    say("task \(i) \(plan.tasks[i].folder) FAILED: \(why)")
                }
            }
        }
        result.interrupted = result.interrupted || Interrupt.requested
        return result
    }

    private func spawn(_ index: Int, logs: URL) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: LocalPool.executable)
        p.arguments = ["sweep", "task", directory.path, "\(index)"]
        if jobs > 1 {
            let url = logs.appendingPathComponent("task-\(index).out")
            FileManager.default.createFile(atPath: url.path, contents: nil)
            let h = try FileHandle(forWritingTo: url)
            p.standardOutput = h
            p.standardError = h
        }
        try p.run()
        return p
    }
}
