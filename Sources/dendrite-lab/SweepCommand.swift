import Foundation
import ArgumentParser
import DendriteCore

/// `dendrite-lab sweep FILE.yaml --seeds 1-5 --modes none,gd,pb --out DIR`: plans a sweep
/// (DIR/sweep.json) and runs it on this machine (`--local`) or writes a Slurm job array
/// for it (`--slurm`, `--submit`). `sweep status DIR` gathers.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Plan a sweep of runs and run it on this machine or as a Slurm job array.",
        subcommands: [SweepPlanCommand.self, SweepStatusCommand.self, SweepRunCommand.self, SweepTaskCommand.self],
        defaultSubcommand: SweepPlanCommand.self)
}

struct SweepPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Write the plan (DIR/sweep.json) and, with --local or --slurm, run it.",
        discussion: """
            Every file x width x mode x seed is one task, with its own folder named after \
            its parameters (DIR/mnist-mlp-narrow-pb-seed11). With --matched each dendrite \
            run also gets a plain baseline widened to its final parameter count; those tasks \
            come last and start once their run has finished. The same command gives the same \
            plan; rerunning it continues the sweep (finished tasks are skipped, interrupted \
            ones resume). Tabulate with `dendrite-lab sweep status DIR` or `compare --from DIR`.
            """)

    @OptionGroup var axes: SweepAxes

    @Flag(help: "Add a param-matched plain baseline for every dendrite run.")
    var matched = false

    @Option(help: "Folder for the plan, the runs and the tables.")
    var out: String

    @Option(parsing: .unconditional, help: "OpenBLAS threads per task.")
    var threads: Int = 1

    @Flag(help: "Run the tasks here, in --jobs worker processes.")
    var local = false

    @Option(help: "Worker processes for --local (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Write DIR/sweep.sbatch, a Slurm job-array script (and DIR/gather.sbatch).")
    var slurm = false

    @Flag(help: "With --slurm: submit the array (runs, then matched baselines, then the gather job) and print the job ids.")
    var submit = false

    @OptionGroup(title: "Slurm") var slurmOptions: SlurmOptions

    func validate() throws {
        if axes.files.isEmpty { throw ValidationError("give at least one experiment file, e.g. experiments/spirals.yaml") }
        if local && slurm { throw ValidationError("choose --local or --slurm, not both") }
        if submit && !slurm { throw ValidationError("--submit needs --slurm") }
        if jobs != nil && !local { throw ValidationError("--jobs needs --local") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let problem = SbatchScript.validate(slurmOptions.options(threads: threads)) { throw ValidationError(problem) }
    }

    func run() throws {
        let dir = sweepFolder(out)
        let plan = try axes.plan(matched: matched, threads: threads, directory: dir)
        try SweepAxes.write(plan, to: dir, replace: false)
        say("Planned \(plan.tasks.count) tasks (\(plan.runCount) runs, \(plan.tasks.count - plan.runCount) matched baselines) in \(dir.path)/sweep.json.")
        if local {
            try SweepRunCommand.runLocally(plan, in: dir, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        } else if slurm {
            try SlurmSubmit.write(plan, in: dir, options: slurmOptions.options(threads: threads))
            if submit { try SlurmSubmit.submit(plan, in: dir) }
        } else {
            say("Run it with --local (this machine) or --slurm (a job array), or `dendrite-lab sweep run \(ShellQuote.word(dir.path))`.")
        }
    }
}

/// sbatch settings of `sweep --slurm`.
struct SlurmOptions: ParsableArguments {
    @Option(help: "CPUs per array task (default: --threads).")
    var cpusPerTask: Int?

    @Option(help: "Time limit per task, in Slurm's format (e.g. 02:00:00).")
    var time: String = "02:00:00"

    @Option(help: "Memory per task, in Slurm's format (e.g. 4G).")
    var mem: String = "4G"

    @Option(help: "Slurm partition.")
    var partition: String?

    @Option(help: "Slurm account.")
    var account: String?

    @Option(help: "An extra #SBATCH option, e.g. --sbatch=--qos=short (repeatable).")
    var sbatch: [String] = []

    func options(threads: Int) -> SbatchScript.Options {
        SbatchScript.Options(cpusPerTask: cpusPerTask ?? threads, time: time, mem: mem, partition: partition,
                             account: account, extra: sbatch)
    }
}
