import Foundation
import ArgumentParser
import DendriteCore

/// Writes a sweep's sbatch scripts and submits them with `sbatch --parsable`: the runs,
/// then the matched baselines as a second array after them (`afterany`, so one failed
/// run does not hold back the others' baselines), then the gather job after both.
/// Nothing waits for the jobs: this process exits once they are queued.
enum SlurmSubmit {
    static func write(_ plan: SweepPlan, in dir: URL, options: SbatchScript.Options) throws {
        let exe = LocalPool.executable
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let script = dir.appendingPathComponent(SbatchScript.fileName)
        try AtomicFile.write(SbatchScript.sweep(plan, directory: dir.path, executable: exe, options: options), to: script)
        try AtomicFile.write(SbatchScript.gather(directory: dir.path, executable: exe, options: options),
                             to: dir.appendingPathComponent(SbatchScript.gatherFileName))
        say("Wrote \(script.path) (array 0-\(plan.tasks.count - 1)) and \(SbatchScript.gatherFileName). Submit with: sbatch \(ShellQuote.word(script.path))")
    }

    static func submit(_ plan: SweepPlan, in dir: URL) throws {
        let script = dir.appendingPathComponent(SbatchScript.fileName).path
        let n = plan.tasks.count, runs = plan.runCount
        let first = try sbatch(["--array=0-\(runs - 1)", script])
        say("Submitted job \(first): tasks 0-\(runs - 1) (runs).")
        var after = first
        if runs < n {
            let second = try sbatch(["--array=\(runs)-\(n - 1)", "--dependency=afterany:\(first)", script])
            say("Submitted job \(second): tasks \(runs)-\(n - 1) (matched baselines, after job \(first)).")
            after += ":\(second)"
        }
        let gather = try sbatch(["--dependency=afterany:\(after)", dir.appendingPathComponent(SbatchScript.gatherFileName).path])
        say("Submitted job \(gather): the gather (writes \(dir.path)/compare.md when the sweep ends).")
        say("Progress: squeue -j \(first); dendrite-lab sweep status \(ShellQuote.word(dir.path))")
    }

    /// Runs `sbatch --parsable ARGS` and returns the job id.
    static func sbatch(_ args: [String]) throws -> String {
        let p: ChildProcess.Outcome
        do { p = try ChildProcess.run("/usr/bin/env", ["sbatch", "--parsable"] + args) } catch {
            throw ValidationError("cannot run sbatch (\(error)); is Slurm installed?")
        }
        let id = p.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard p.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            let why = p.stderr.split(separator: "\n").first.map(String.init) ?? "status \(p.status)"
            throw ValidationError("sbatch \(args.joined(separator: " ")) failed: \(why)")
        }
        return id
    }
}
