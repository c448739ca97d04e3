import Foundation
import DendriteCore
import Testing

/// `dendrite-lab sweep` end to end: the local pool gives `compare`'s table, a failed task
/// leaves its error and the indices to resubmit, and a one-node Slurm cluster runs the
/// same sweep as a job array to the same table.
@Suite struct SweepCommandTests {
    /// A small sweep on toy data: 6 runs (none and gd, seeds 1-3) and up to 3 matched baselines.
    static let axes = ["experiments/spirals.yaml", "--modes", "none,gd", "--seeds", "1-3", "--epochs", "30", "--threads", "1"]

    static func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    /// A compare table (compare.csv or compare.md) without its wall-seconds column: the
    /// only column that differs between two executions of the same runs.
    static func table(_ url: URL) throws -> String {
        let lines = try text(url).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if url.pathExtension == "csv" {
            #expect(lines.first?.hasSuffix(",wall_seconds") == true, "wall_seconds is no longer the last column")
            return lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") }
                .joined(separator: "\n")
        }
        var column: Int?
        return lines.map { line -> String in
            guard line.hasPrefix("|") else { column = nil; return line }
            var cells = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if column == nil { column = cells.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "wall s" } }
            if let c = column, c < cells.count { cells.remove(at: c) }
            return cells.joined(separator: "|")
        }.joined(separator: "\n")
    }

    @Test func localPoolGivesTheSameTableAsSequentialCompare() throws {
        let a = CLI.temporaryFolder("sweep-compare"), b = CLI.temporaryFolder("sweep-local")
        defer { for u in [a, b] { try? FileManager.default.removeItem(at: u) } }
        let seq = try CLI.run(["compare"] + Self.axes + ["--out", a.path])
        #expect(seq.status == 0, "stderr: \(seq.stderr)")
        let pool = try CLI.run(["sweep"] + Self.axes + ["--matched", "--out", b.path, "--local", "--jobs", "2"])
        #expect(pool.status == 0, "stderr: \(pool.stderr)")
        #expect(pool.stdout.contains("Planned 9 tasks (6 runs, 3 matched baselines)"), "\(pool.stdout)")
        let csv = try Self.table(a.appendingPathComponent("compare.csv"))
        let csvPool = try Self.table(b.appendingPathComponent("compare.csv"))
        #expect(csv == csvPool)
        #expect(csv.contains("matches gd"), "no gd run grew dendrites, so no baseline was compared:\n\(csv)")
        let md = try Self.table(a.appendingPathComponent("compare.md"))
        let mdPool = try Self.table(b.appendingPathComponent("compare.md"))
        #expect(!md.contains("wall s") && md == mdPool)
        // Each worker wrote its own log; the same command again runs nothing.
        #expect(FileManager.default.fileExists(atPath: b.appendingPathComponent("logs/task-3.out").path))
        let again = try CLI.run(["sweep"] + Self.axes + ["--matched", "--out", b.path, "--local", "--jobs", "2"])
        #expect(again.status == 0 && !again.stdout.contains("started"), "\(again.stdout)")
        #expect(again.stdout.components(separatedBy: "Reusing the finished run").count - 1 == 6 + csv.components(separatedBy: "matches gd").count - 1)
        // A different plan in the same folder is refused (Slurm tasks read it by index).
        let other = try CLI.run(["sweep", "experiments/spirals.yaml", "--seeds", "1", "--out", b.path])
        #expect(other.status != 0 && other.stderr.contains("holds a different sweep plan"), "\(other.stderr)")
    }

    @Test func aFailedTaskWritesItsErrorAndStatusNamesTheIndicesToResubmit() throws {
        let dir = CLI.temporaryFolder("sweep fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try CLI.run(["sweep", "experiments/xor-neuron.yaml", "--modes", "none", "--seeds", "1-3", "--epochs", "2",
                                "--out", dir.path, "--slurm"])
        #expect(plan.status == 0, "stderr: \(plan.stderr)")
        // Task 1's folder already holds a run of another experiment.
        let blocker = dir.appendingPathComponent("xor-neuron-none-seed2")
        let t = try CLI.run(["train", "experiments/xor-neuron.yaml", "--mode", "gd", "--epochs", "1", "--out", blocker.path])
        #expect(t.status == 0, "stderr: \(t.stderr)")
        let run = try CLI.run(["sweep", "run", dir.path, "--jobs", "2"])
        #expect(run.status == 1, "stdout: \(run.stdout)")
        let error = try Self.text(blocker.appendingPathComponent("error.txt"))
        #expect(error.hasPrefix("task 1 failed: ") && error.contains("holds a run of a different experiment"), "\(error)")
        let status = try CLI.run(["sweep", "status", dir.path])
        #expect(status.status == 0)
        #expect(status.stdout.contains("2 of 3 tasks finished, 1 failed (1)."), "\(status.stdout)")
        #expect(status.stdout.contains("Resubmit: sbatch --array=1 '\(dir.path)'/sweep.sbatch"), "\(status.stdout)")
        // Fixed, the task runs and its error goes away.
        try FileManager.default.removeItem(at: blocker)
        let rerun = try CLI.run(["sweep", "run", dir.path, "--jobs", "1"])
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        #expect(rerun.stdout.contains("3 of 3 tasks finished."))
        #expect(!FileManager.default.fileExists(atPath: blocker.appendingPathComponent("error.txt").path))
        let gathered = try CLI.run(["compare", "--from", dir.path])
        #expect(gathered.status == 0 && gathered.stdout.contains("| xor-neuron | none | xor | 3 | 0 |"), "\(gathered.stdout)")
    }

    @Test func aBaselineStartedBeforeItsRunRunsThatRunFirst() throws {
        let dir = CLI.temporaryFolder("sweep-order")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try CLI.run(["sweep", "experiments/spirals.yaml", "--modes", "gd", "--seeds", "1", "--epochs", "30", "--matched",
                                "--out", dir.path])
        #expect(plan.status == 0 && plan.stdout.contains("Planned 2 tasks (1 runs, 1 matched baselines)"), "\(plan.stdout)")
        // As when a whole array is submitted at once and task 1 starts first.
        let t = try CLI.run(["sweep", "task", dir.path, "1"])
        #expect(t.status == 0, "stderr: \(t.stderr)")
        #expect(t.stdout.contains("needs its dendrite run first: task 0 (spirals-gd-seed1)"), "\(t.stdout)")
        let status = try CLI.run(["sweep", "status", dir.path])
        #expect(status.stdout.contains("2 of 2 tasks finished."), "\(status.stdout)")
        #expect(status.stdout.contains("| spirals plain h"), "\(status.stdout)")
        // Task 0 itself now only finds its finished run.
        let zero = try CLI.run(["sweep", "task", dir.path, "0"])
        #expect(zero.status == 0 && zero.stdout.contains("Reusing the finished run"))
        let outOfRange = try CLI.run(["sweep", "task", dir.path, "2"])
        #expect(outOfRange.status != 0 && outOfRange.stderr.contains("task 2 is not in"), "\(outOfRange.stderr)")
    }

    @Test func aGDAndAPBRunOfTheSameSizeShareOneMatchedBaseline() throws {
        let dir = CLI.temporaryFolder("sweep-twin")
        defer { try? FileManager.default.removeItem(at: dir) }
        // One set after 10 epochs, at most one, on a net too small for the circle without it:
        // both modes keep their set and end with the same parameter count.
        let file = dir.appendingPathComponent("twin.yaml")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
            name: twin
            dataset: {name: circle, count: 300, noise: 0.05, validation: 0.2}
            network: {input: [2], layers: [dense 2, tanh, dense 2]}
            mode: gd
            dendrites: {max_dendrites: 1, switch: fixed, fixed_interval: 10, candidate_pool: 1, max_p_epochs: 5}
            optimizer: {kind: adam, lr: 0.03}
            epochs: 40
            batch_size: 32
            seed: 1
            """.write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["compare", file.path, "--modes", "gd,pb", "--seeds", "1", "--threads", "1", "--out", out.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("is the same run as task 2 (twin-gd-seed1-matched): copied its results"), "\(r.stdout)")
        // The copy is what training it again gives (runs are deterministic): the same
        // summary, bar the clock (checked with the copy switched off, too).
        func summary(_ folder: String) throws -> RunSummary {
            var s = try #require(RunWriter.readSummary(in: out.appendingPathComponent(folder)))
            s.wallSeconds = 0
            s.samplesPerSecond = 0
            s.neuronSeconds = nil
            s.dendriteSeconds = nil
            return s
        }
        #expect(try summary("twin-gd-seed1-matched") == summary("twin-pb-seed1-matched"))
        let md = try Self.text(out.appendingPathComponent("compare.md"))
        #expect(md.contains("matches gd") && md.contains("matches pb"), "\(md)")
    }

    @Test func twoExecutorsOnOneFolderNeverRunATaskTwice() throws {
        let dir = CLI.temporaryFolder("sweep-two")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try CLI.run(["sweep", "experiments/spirals.yaml", "--modes", "none", "--seeds", "1-4", "--epochs", "40",
                                "--out", dir.path])
        #expect(plan.status == 0)
        // As two machines sharing the folder would: both work through the same plan at once.
        let outA = CLI.temporaryFolder("sweep-two-out").appendingPathComponent("a.out").path
        let a = try CLI.start(["sweep", "run", dir.path, "--jobs", "1"], output: outA)
        let b = try CLI.run(["sweep", "run", dir.path, "--jobs", "1"])
        let statusA = try a.wait().status
        let textA = (try? String(contentsOfFile: outA, encoding: .utf8)) ?? ""
        #expect(statusA == 0 && b.status == 0, "\(textA)\n\(b.stdout)")
        let trained = textA.components(separatedBy: "Training spirals").count + b.stdout.components(separatedBy: "Training spirals").count - 2
        #expect(trained == 4, "\(textA)\n\(b.stdout)")
        for seed in 1...4 {
            let folder = dir.appendingPathComponent("spirals-none-seed\(seed)")
            let events = try RunFolder.lines(folder.appendingPathComponent("events.jsonl"))
            #expect(events.filter { $0.contains("\"event\":\"started\"") }.count == 1, "\(events)")
            #expect(try RunFolder.metrics(folder).count == 41)
        }
    }

    @Test func anInterruptedSweepContinuesWhereItStopped() throws {
        let dir = CLI.temporaryFolder("sweep-interrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["sweep", "experiments/spirals.yaml", "--modes", "none,gd", "--seeds", "1-2", "--epochs", "150", "--matched",
                    "--out", dir.path, "--local", "--jobs", "2"]
        let out = CLI.temporaryFolder("sweep-interrupt-out").appendingPathComponent("out").path
        let p = try CLI.start(args, output: out)
        // Stop it once the first worker has checkpointed an epoch or two.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("spirals-gd-seed1/checkpoint.safetensors").path) {
            usleep(50_000)
        }
        kill(p.pid, SIGINT)
        let status = try p.wait().status
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        #expect(status == 130, "\(text)")
        #expect(text.contains("Sweep interrupted; run the same command again to continue."), "\(text)")
        #expect(!text.contains("6 of 6 tasks finished"))
        let locks = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("locks").path)
        #expect(locks.isEmpty, "workers left their locks: \(locks)")
        let again = try CLI.run(Array(args))
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(again.stdout.contains("6 of 6 tasks finished."), "\(again.stdout)")
        // The interrupted run resumed: one metrics row per epoch, none twice.
        let epochs = try RunFolder.metrics(dir.appendingPathComponent("spirals-gd-seed1")).dropFirst().map { Int($0.split(separator: ",")[0]) }
        #expect(!epochs.isEmpty && epochs == Array(1...max(1, epochs.count)), "\(epochs)")
    }

    @Test(.enabled(if: SlurmCluster.running, "no one-node Slurm cluster: needs root, `scripts/setup.sh --cluster` and `scripts/slurm-local.sh start`"))
    func slurmJobArrayGivesTheSameTableAsTheLocalPool() throws {
        let slurm = CLI.temporaryFolder("sweep slurm"), local = CLI.temporaryFolder("sweep-slurm-local")
        defer { for u in [slurm, local] { try? FileManager.default.removeItem(at: u) } }
        let submit = try CLI.run(["sweep"] + Self.axes + ["--matched", "--out", slurm.path, "--slurm", "--submit",
                                                          "--time", "00:05:00", "--mem", "1G"])
        #expect(submit.status == 0, "stderr: \(submit.stderr)")
        let jobs = submit.stdout.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("Submitted job ") else { return nil }
            return line.dropFirst("Submitted job ".count).split(separator: ":").first.map(String.init)
        }
        #expect(jobs.count == 3, "\(submit.stdout)")
        let localRun = try CLI.run(["sweep"] + Self.axes + ["--matched", "--out", local.path, "--local", "--jobs", "1"])
        #expect(localRun.status == 0)
        #expect(SlurmCluster.wait(for: jobs, seconds: 150), "jobs \(jobs) still queued after 150 s")
        // The chained gather job wrote the table; it equals the local one.
        let csv = try Self.table(local.appendingPathComponent("compare.csv"))
        #expect((try? Self.table(slurm.appendingPathComponent("compare.csv"))) == csv)
        let status = try CLI.run(["sweep", "status", slurm.path])
        #expect(status.stdout.contains("9 of 9 tasks finished."), "\(status.stdout)")
        let logs = try FileManager.default.contentsOfDirectory(atPath: slurm.appendingPathComponent("logs").path)
        #expect(logs.filter { $0.hasPrefix(jobs[0] + "_") }.count == 6, "\(logs)")
    }
}

/// A one-node Slurm cluster for the test above, started with scripts/slurm-local.sh
/// where it can be (root, packages installed).
enum SlurmCluster {
    static func shell(_ command: String) -> (status: Int32, out: String) {
        guard let r = try? ChildProcess.run("/bin/bash", ["-c", command], in: CLI.packageRoot) else { return (-1, "") }
        return (r.status, r.stdout)
    }

    static let running: Bool = {
        _ = shell("scripts/slurm-local.sh start")
        return shell("scripts/slurm-local.sh status").status == 0
    }()

    /// Polls squeue until none of `jobs` is queued or running.
    static func wait(for jobs: [String], seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let q = shell("squeue -h -o %i -j \(jobs.joined(separator: ","))")
            // Finished jobs leave the queue (squeue -j may call them invalid once purged).
            if q.out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return true }
            Thread.sleep(forTimeInterval: 1)
        }
        return false
    }
}
