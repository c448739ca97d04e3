import Foundation

/// The Slurm job-array script of a sweep (`DIR/sweep.sbatch`), meant to be read and
/// edited before submitting: one array task per plan entry, each running its own entry
/// with `dendrite-lab sweep task DIR $SLURM_ARRAY_TASK_ID`, its output in
/// `DIR/logs/JOB_TASK.out`. And the one-task gather script (`DIR/gather.sbatch`).
public struct SbatchScript: Equatable, Sendable {
    public struct Options: Equatable, Sendable {
        public var jobName: String
        public var cpusPerTask: Int
        /// Slurm time format, e.g. "02:00:00" or "1-00:00:00".
        public var time: String
        /// Slurm memory, e.g. "4G".
        public var mem: String
        public var partition: String?
        public var account: String?
        /// Further options, one per `#SBATCH` line, as given (e.g. "--qos=short").
        public var extra: [String]

        public init(jobName: String = "dendrite-sweep", cpusPerTask: Int = 1, time: String = "02:00:00", mem: String = "4G",
                    partition: String? = nil, account: String? = nil, extra: [String] = []) {
            self.jobName = jobName
            self.cpusPerTask = cpusPerTask
            self.time = time
            self.mem = mem
            self.partition = partition
            self.account = account
            self.extra = extra
        }
    }

    public static let fileName = "sweep.sbatch"
    public static let gatherFileName = "gather.sbatch"

    /// Checks one option value for an `#SBATCH` line: sbatch reads those lines itself
    /// (not a shell), so a line break would end the option and start a command.
    public static func validate(_ options: Options) -> String? {
        let values = [options.jobName, options.time, options.mem, options.partition ?? "", options.account ?? ""] + options.extra
        if let bad = values.first(where: { $0.contains("\n") || $0.contains("\r") }) {
            return "Slurm options must be one line each; got '\(bad.replacingOccurrences(of: "\n", with: "\\n"))'"
        }
        if let bad = options.extra.first(where: { !$0.hasPrefix("-") }) {
            return "--sbatch takes an sbatch option such as --qos=short; got '\(bad)'"
        }
        if options.cpusPerTask < 1 { return "--cpus-per-task must be at least 1, got \(options.cpusPerTask)" }
        return nil
    }

    /// An `#SBATCH` option value: double-quoted when it holds spaces or quotes (sbatch
    /// reads `"..."` with `\"` and `\\` escapes on these lines).
    static func value(_ s: String) -> String {
        guard s.contains(where: { " \t\"'\\#".contains($0) }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A path inside an sbatch filename pattern, where `%` starts a replacement.
    static func pattern(_ path: String) -> String { path.replacingOccurrences(of: "%", with: "%%") }

    /// `DIR/sweep.sbatch` for `plan`, run with the executable at `executable`.
    public static func sweep(_ plan: SweepPlan, directory: String, executable: String, options: Options) -> String {
        let n = plan.tasks.count, runs = plan.runCount
        let d = ShellQuote.word(directory)
        var s = """
            #!/bin/bash
            # Dendrite Lab sweep: \(n) tasks, one run each; \(directory)/sweep.json lists them
            # (task index -> run folder and command). Every task is idempotent: a finished one
            # is skipped, an interrupted one resumes from its checkpoint, a failed one writes
            # FOLDER/error.txt, and a lock file keeps two jobs off the same task.

            """
        if runs < n {
            s += """
                # Tasks 0-\(runs - 1) are runs; \(runs)-\(n - 1) are param-matched plain baselines, each sized
                # from its dendrite run's final parameter count, so they go second:
                #   ID=$(sbatch --parsable --array=0-\(runs - 1) \(d)/sweep.sbatch)
                #   sbatch --array=\(runs)-\(n - 1) --dependency=afterany:$ID \(d)/sweep.sbatch
                # (`dendrite-lab sweep ... --slurm --submit` does this). Submitted all at once, a
                # baseline whose run is still going waits for it, and one whose run never ran runs it.

                """
        } else {
            s += "# Submit: sbatch \(d)/sweep.sbatch\n"
        }
        s += """
            # Resubmit some tasks: sbatch --array=3,7 \(d)/sweep.sbatch
            # Tabulate what has finished: dendrite-lab compare --from \(d)
            #SBATCH --job-name=\(value(options.jobName))
            #SBATCH --array=0-\(n - 1)
            #SBATCH --cpus-per-task=\(options.cpusPerTask)
            #SBATCH --time=\(value(options.time))
            #SBATCH --mem=\(value(options.mem))
            #SBATCH --output=\(value(pattern(directory) + "/logs/%A_%a.out"))
            #SBATCH --signal=B:INT@120

            """
        s += header(options)
        s += """
            # The signal above asks the run to stop after its epoch (checkpoint saved) two
            # minutes before the time limit; resubmitting the task resumes it.
            DENDRITE_LAB=\(ShellQuote.word(executable))
            SWEEP_DIR=\(d)
            exec "$DENDRITE_LAB" sweep task "$SWEEP_DIR" "$SLURM_ARRAY_TASK_ID"

            """
        return s
    }

    /// `DIR/gather.sbatch`: one small job that tabulates the sweep.
    public static func gather(directory: String, executable: String, options: Options) -> String {
        var s = """
            #!/bin/bash
            # Tabulates the sweep in \(directory) (compare.md, compare.csv, params-accuracy.png).
            # Chain it after the array: sbatch --dependency=afterany:ID \(ShellQuote.word(directory))/gather.sbatch
            #SBATCH --job-name=\(value(options.jobName + "-gather"))
            #SBATCH --cpus-per-task=1
            #SBATCH --time=00:30:00
            #SBATCH --mem=\(value(options.mem))
            #SBATCH --output=\(value(pattern(directory) + "/logs/gather-%j.out"))

            """
        s += header(options)
        s += """
            DENDRITE_LAB=\(ShellQuote.word(executable))
            exec "$DENDRITE_LAB" sweep status \(ShellQuote.word(directory))

            """
        return s
    }

    /// Partition, account and the extra lines.
    private static func header(_ options: Options) -> String {
        var s = ""
        if let p = options.partition { s += "#SBATCH --partition=\(value(p))\n" }
        if let a = options.account { s += "#SBATCH --account=\(value(a))\n" }
        for line in options.extra { s += "#SBATCH \(line)\n" }
        return s + "\n"
    }
}
