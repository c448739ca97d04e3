import Foundation
import Testing
@testable import DendriteCore

/// The pieces executors share: the per-task lock, the state read from a task's folder,
/// and the Slurm script.
@Suite struct TaskLockTests {
    @Test func oneHolderAtATimeAndReleaseFreesIt() throws {
        let tmp = TempFolder()
        defer { tmp.remove() }
        let url = URL(fileURLWithPath: tmp.file("locks/task-0.lock"))
        guard case .success(let lock) = try TaskLock.acquire(url) else { Issue.record("first acquire failed"); return }
        guard case .failure(let box) = try TaskLock.acquire(url) else { Issue.record("second acquire succeeded"); return }
        #expect(box.holder.host == TaskLock.hostName && box.holder.pid == getpid())
        #expect(TaskLock.liveHolder(url) == box.holder)
        lock.release()
        #expect(!FileManager.default.fileExists(atPath: url.path))
        guard case .success(let again) = try TaskLock.acquire(url) else { Issue.record("acquire after release failed"); return }
        again.release()
    }

    @Test func aDeadHolderOnThisHostIsStale() throws {
        let tmp = TempFolder()
        defer { tmp.remove() }
        let url = URL(fileURLWithPath: tmp.file("task-1.lock"))
        // A process that has exited: its pid is free (until reused).
        // (ChildProcess, not Foundation's Process: see ChildProcess.swift.)
        let p = try ChildProcess.run("/bin/true", [])
        try "\(TaskLock.hostName) \(p.pid) deadbeef\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(TaskLock.liveHolder(url) == nil)
        guard case .success(let lock) = try TaskLock.acquire(url) else { Issue.record("stale lock not taken over"); return }
        lock.release()
    }

    @Test func aHolderOnAnotherNodeIsLiveUntilItStopsTouchingTheLock() throws {
        let tmp = TempFolder()
        defer { tmp.remove() }
        let url = URL(fileURLWithPath: tmp.file("task-2.lock"))
        try "other-node-\(UUID().uuidString.prefix(4)) 1 cafe\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(TaskLock.liveHolder(url)?.token == "cafe")
        guard case .failure = try TaskLock.acquire(url) else { Issue.record("took a live lock"); return }
        // Not touched for longer than staleAfter: its node died with it.
        var times = [timeval(tv_sec: time(nil) - Int(TaskLock.staleAfter) - 10, tv_usec: 0),
                     timeval(tv_sec: time(nil) - Int(TaskLock.staleAfter) - 10, tv_usec: 0)]
        #expect(utimes(url.path, &times) == 0)
        #expect(TaskLock.liveHolder(url) == nil)
        guard case .success(let lock) = try TaskLock.acquire(url) else { Issue.record("stale lock not taken over"); return }
        lock.release()
    }
}

@Suite struct SweepGatherTests {
    @Test func stateComesFromTheTaskFolder() throws {
        let tmp = TempFolder()
        defer { tmp.remove() }
        let dir = URL(fileURLWithPath: tmp.path)
        let plan = try SweepPlan.expand(SweepPlanTests.request(), directory: tmp.path)
        #expect(SweepGather.state(plan, 0, in: dir) == .missing)
        // A baseline whose run has not finished is missing too (nothing to derive yet).
        #expect(SweepGather.state(plan, 18, in: dir) == .missing)
        let folder = SweepGather.folder(dir, plan.tasks[1])
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "task 1 failed: boom\nmore\n".write(to: folder.appendingPathComponent("error.txt"), atomically: true, encoding: .utf8)
        #expect(SweepGather.state(plan, 1, in: dir) == .failed("task 1 failed: boom"))
        guard case .success(let lock) = try TaskLock.acquire(SweepGather.lockURL(dir, 1)) else { Issue.record("lock"); return }
        guard case .running = SweepGather.state(plan, 1, in: dir) else { Issue.record("expected running"); return }
        lock.release()
        try "# config\n".write(to: SweepGather.folder(dir, plan.tasks[2]).appendingPathComponent("config.yaml").creatingFolder(),
                                atomically: true, encoding: .utf8)
        #expect(SweepGather.state(plan, 2, in: dir) == .unfinished("stopped before its first checkpoint"))
    }
}

private extension URL {
    func creatingFolder() throws -> URL {
        try FileManager.default.createDirectory(at: deletingLastPathComponent(), withIntermediateDirectories: true)
        return self
    }
}

@Suite struct SbatchScriptTests {
    static let plan = try! SweepPlan.expand(SweepPlanTests.request(), directory: "/scratch/my sweep")

    @Test func oneArrayTaskPerPlanEntryWithTheGivenResources() {
        let s = SbatchScript.sweep(Self.plan, directory: "/scratch/sweeps/s1", executable: "/opt/dl/dendrite-lab",
                                   options: .init(cpusPerTask: 2, time: "01:30:00", mem: "3G", partition: "short",
                                                  account: "lab42", extra: ["--qos=low", "--constraint=avx2"]))
        let lines = s.split(separator: "\n").map(String.init)
        #expect(lines.first == "#!/bin/bash")
        for want in ["#SBATCH --array=0-29", "#SBATCH --cpus-per-task=2", "#SBATCH --time=01:30:00", "#SBATCH --mem=3G",
                     "#SBATCH --partition=short", "#SBATCH --account=lab42", "#SBATCH --qos=low", "#SBATCH --constraint=avx2",
                     "#SBATCH --output=/scratch/sweeps/s1/logs/%A_%a.out", "#SBATCH --signal=B:INT@120"] {
            #expect(lines.contains(want), "missing \(want)")
        }
        // sbatch reads #SBATCH lines only before the first command.
        let firstCommand = lines.firstIndex { !$0.isEmpty && !$0.hasPrefix("#") }!
        #expect(lines.lastIndex { $0.hasPrefix("#SBATCH") }! < firstCommand)
        #expect(s.contains("exec \"$DENDRITE_LAB\" sweep task \"$SWEEP_DIR\" \"$SLURM_ARRAY_TASK_ID\""))
        // The two-stage submission is spelled out for the 18 runs and 12 baselines.
        #expect(s.contains("--array=0-17") && s.contains("--array=18-29 --dependency=afterany:$ID"))
        let bare = SbatchScript.sweep(Self.plan, directory: "/s", executable: "/x", options: .init())
        #expect(!bare.contains("--partition") && !bare.contains("--account"))
    }

    @Test func pathsWithSpacesQuotesAndPercentSignsAreEscaped() throws {
        let dir = "/scratch/my sweep's 100%"
        let s = SbatchScript.sweep(Self.plan, directory: dir, executable: "/opt/my tools/dendrite-lab", options: .init())
        // sbatch's own quoting on #SBATCH lines; % doubled in its filename pattern.
        #expect(s.contains("#SBATCH --output=\"/scratch/my sweep's 100%%/logs/%A_%a.out\""))
        // The shell lines give back the exact paths.
        let assignments = s.split(separator: "\n").filter { $0.hasPrefix("DENDRITE_LAB=") || $0.hasPrefix("SWEEP_DIR=") }
        #expect(assignments.count == 2)
        let text = try ChildProcess.run("/bin/bash", ["-c", assignments.joined(separator: "\n") + "\nprintf '%s|%s' \"$DENDRITE_LAB\" \"$SWEEP_DIR\""]).stdout
        #expect(text == "/opt/my tools/dendrite-lab|\(dir)")
        #expect(SbatchScript.value("a \"b\" \\c") == "\"a \\\"b\\\" \\\\c\"")
        let gather = SbatchScript.gather(directory: dir, executable: "/x", options: .init())
        #expect(gather.contains("exec \"$DENDRITE_LAB\" sweep status '/scratch/my sweep'\\''s 100%'"))
    }

    @Test func optionsThatWouldBreakTheScriptAreRefused() {
        #expect(SbatchScript.validate(.init()) == nil)
        #expect(SbatchScript.validate(.init(time: "1:00\n#SBATCH --x")) != nil)
        #expect(SbatchScript.validate(.init(extra: ["qos=low"])) != nil)
        #expect(SbatchScript.validate(.init(cpusPerTask: 0)) != nil)
    }
}
