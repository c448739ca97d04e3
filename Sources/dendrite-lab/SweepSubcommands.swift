import Foundation
import ArgumentParser
import DendriteCore

/// `dendrite-lab sweep status DIR`: the gather step (same as `compare --from DIR`).
struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Tabulate a sweep's finished tasks and list the ones to resubmit.",
        discussion: "Writes DIR/compare.md, compare.csv and params-accuracy.png from whatever has finished.")

    @OptionGroup var sweep: SweepFolder

    func run() throws {
        try SweepReport.gather(try sweep.plan(), in: sweep.url)
    }
}

/// `dendrite-lab sweep run DIR`: runs an existing plan on this machine. Several machines
/// sharing DIR can run it at once; the task locks split the work.
struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the unfinished tasks of a planned sweep here, in worker processes.")

    @OptionGroup var sweep: SweepFolder

    @Option(help: "Worker processes (default: the number of cores).")
    var jobs: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
    }

    func run() throws {
        try SweepRunCommand.runLocally(try sweep.plan(), in: sweep.url, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Runs `plan` with the local pool, then gathers. Exits 130 when interrupted and 1
    /// when a task failed.
    static func runLocally(_ plan: SweepPlan, in dir: URL, jobs: Int, interruptedMessage: String? = nil) throws {
        Interrupt.install()
        let start = Date()
        let result = try LocalPool(plan: plan, directory: dir, jobs: jobs).run()
        if jobs > 1 { say("Ran the sweep in \(String(format: "%.1f", Date().timeIntervalSince(start))) s of wall time with \(jobs) workers.") }
        try SweepReport.gather(plan, in: dir)
        if result.interrupted {
            say(interruptedMessage ?? "Sweep interrupted; run the same command again to continue.")
            throw ExitCode(130)
        }
        if !result.failed.isEmpty { throw ExitCode(1) }
    }
}

/// `dendrite-lab sweep task DIR I`: runs task I of the plan (what workers and Slurm
/// array tasks run). Exit status 0 when the task is done, 1 when it failed (its error
/// is in its folder's error.txt), 130 when stopped by Ctrl-C or Slurm's signal.
struct SweepTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Run one task of a planned sweep (used by the workers and the Slurm array).")

    @OptionGroup var sweep: SweepFolder

    @Argument(help: "Task index (e.g. $SLURM_ARRAY_TASK_ID).")
    var index: Int

    func run() throws {
        let folder = sweep.url
        let plan = try sweep.plan()
        guard plan.tasks.indices.contains(index) else {
            throw ValidationError("task \(index) is not in \(folder.path)/sweep.json (it has tasks 0-\(plan.tasks.count - 1))")
        }
        Interrupt.install()
        if try SweepTaskRunner.run(plan, index, in: folder) == .stopped { throw ExitCode(130) }
    }
}

/// The sweep folder argument of `sweep status|run|task`.
struct SweepFolder: ParsableArguments {
    @Argument(help: "The sweep folder (the --out of `dendrite-lab sweep`).")
    var dir: String

    var url: URL { sweepFolder(dir) }

    func plan() throws -> SweepPlan { try SweepPlan.read(from: url) }
}
