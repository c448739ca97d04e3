import Foundation

/// The list of runs a sweep makes, written as `DIR/sweep.json` before anything runs so
/// every executor (local workers, Slurm array tasks on any node) reads the same plan:
/// task index -> run folder and the exact command that runs it.
///
/// Tasks come in two stages. Stage one (indices 0..<`runCount`) is every experiment file
/// x width x mode x seed, in that nesting order. Stage two holds one param-matched plain
/// baseline per dendrite run and per dANN run (with `matched`): its hidden width is chosen to match the
/// dendrite run's *final* parameter count, which only exists once that run has finished.
/// So a stage-two task has a fixed index and folder but no experiment in the plan; it
/// derives its experiment from its run's `summary.json` when it starts, and runs (or
/// waits for) that run first if it has not finished. Executors start stage two after
/// stage one (the local pool as each run finishes, Slurm as a second array with
/// `--dependency=afterany` on the first), so nobody waits in practice.
///
/// The same request gives the same plan, byte for byte: no clocks, no host names.
public struct SweepPlan: Codable, Equatable, Sendable {
    public static let fileName = "sweep.json"
    public var format = "dendrite-lab sweep 1"
    /// OpenBLAS threads per task (nil: OpenBLAS's own choice).
    public var threads: Int?
    public var tasks: [SweepTask]
    /// Experiment file texts by the path given, copied into run folders as source.yaml.
    public var sources: [String: String]

    /// What to expand: experiment files (already loaded) and the axes to sweep.
    public struct Request: Sendable {
        public struct File: Sendable {
            public var path: String
            public var experiment: Experiment
            public var text: String?
            public init(path: String, experiment: Experiment, text: String?) {
                self.path = path
                self.experiment = experiment
                self.text = text
            }
        }
        public var files: [File]
        public var modes: [DendriteMode]
        /// nil: each file's own seed.
        public var seeds: [UInt64]?
        /// nil: each file's own network.
        public var widths: [Int]?
        public var epochs: Int?
        public var matched: Bool
        public var threads: Int?

        public init(files: [File], modes: [DendriteMode], seeds: [UInt64]? = nil, widths: [Int]? = nil,
                    epochs: Int? = nil, matched: Bool = false, threads: Int? = nil) {
            self.files = files
            self.modes = modes
            self.seeds = seeds
            self.widths = widths
            self.epochs = epochs
            self.matched = matched
            self.threads = threads
        }
    }

    /// Number of stage-one tasks (the runs); matched baselines follow them.
    public var runCount: Int { tasks.prefix { !$0.isMatchedBaseline }.count }

    /// The matched baseline of each run that has one, by run index.
    public var matchedTask: [Int: Int] {
        Dictionary(uniqueKeysWithValues: tasks.compactMap { t in t.matches.map { ($0, t.index) } })
    }

    /// Expands `request` into tasks whose commands name the sweep folder `directory`
    /// (an absolute path).
    public static func expand(_ request: Request, directory: String) throws -> SweepPlan {
        var tasks: [SweepTask] = []
        var sources: [String: String] = [:]
        var owner: [String: String] = [:]
        for file in request.files {
            sources[file.path] = file.text
            for width in request.widths.map({ $0.map(Optional.some) }) ?? [nil] {
                var base = file.experiment
                if let epochs = request.epochs { base.epochs = epochs }
                if let width {
                    guard let spec = base.network.scalingHidden(narrowestTo: width) else {
                        throw ConfigError(file: file.path, line: 0, problem: "--widths sets hidden layer widths, but this network has no hidden dense, conv or dendritic layer", expected: "a network with a hidden layer")
                    }
                    base.network = spec
                }
                let label = base.name + (width.map { " w\($0)" } ?? "")
                let stem = base.name + (width.map { "-w\($0)" } ?? "")
                for mode in request.modes {
                    for seed in request.seeds ?? [base.seed] {
                        var e = base
                        e.mode = mode
                        e.seed = seed
                        let folder = "\(stem)-\(mode.rawValue)-seed\(seed)"
                        if let other = owner[folder] {
                            throw ConfigError(file: file.path, line: 0, problem: "its runs would share the folder \(folder) with \(other)", expected: "experiments with different names")
                        }
                        owner[folder] = file.path
                        tasks.append(SweepTask(index: tasks.count, folder: folder, label: label, mode: mode, seed: seed,
                                               width: width, source: file.path, experiment: e, matches: nil,
                                               command: command(directory, tasks.count)))
                    }
                }
            }
        }
        if request.matched {
            for run in tasks where run.mode != .none || run.experiment?.network.hasDendriticLayer == true {
                let i = tasks.count
                tasks.append(SweepTask(index: i, folder: run.folder + "-matched", label: run.label + " plain",
                                       mode: .none, seed: run.seed, width: run.width, source: run.source,
                                       experiment: nil, matches: run.index, command: command(directory, i)))
            }
        }
        return SweepPlan(threads: request.threads, tasks: tasks, sources: sources)
    }

    /// `dendrite-lab sweep task 'DIR' I`, quoted for a POSIX shell.
    public static func command(_ directory: String, _ index: Int) -> String {
        "dendrite-lab sweep task \(ShellQuote.word(directory)) \(index)"
    }

    // MARK: - File

    public static func url(in directory: URL) -> URL { directory.appendingPathComponent(fileName) }

    /// The plan as written to sweep.json: sorted keys, so equal plans are equal bytes.
    public func json() throws -> Data {
        let e = TrainingSnapshot.encoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self) + Data("\n".utf8)
    }

    /// Reads `DIR/sweep.json`; one clear line when it is missing or not a plan.
    public static func read(from directory: URL) throws -> SweepPlan {
        let url = url(in: directory)
        guard let data = try? Data(contentsOf: url) else {
            throw FileError(path: url.path, problem: "cannot read it; expected the sweep plan written by `dendrite-lab sweep ... --out \(directory.path)`")
        }
        do {
            let plan = try TrainingSnapshot.decoder().decode(SweepPlan.self, from: data)
            guard plan.tasks.indices.allSatisfy({ plan.tasks[$0].index == $0 }),
                  plan.tasks.allSatisfy({ t in t.matches.map { $0 < plan.runCount } ?? (t.experiment != nil) }) else {
                throw FileError(path: url.path, problem: "is not a consistent sweep plan (task indices or matches out of order)")
            }
            return plan
        } catch let e as FileError {
            throw e
        } catch {
            throw FileError(path: url.path, problem: "is not a sweep plan (\(error.localizedDescription))")
        }
    }
}

/// Whole numbers given as a comma-separated list with ranges: `1-5`, `1,2,3`, `1-3,7`.
public enum NumberList {
    public static func parse(_ text: String) -> [UInt64]? {
        var out: [UInt64] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let p = part.trimmingCharacters(in: .whitespaces)
            let ends = p.split(separator: "-", omittingEmptySubsequences: false)
            if ends.count == 1, let n = UInt64(p) {
                out.append(n)
            } else if ends.count == 2, let a = UInt64(ends[0]), let b = UInt64(ends[1]), a <= b, b - a < 100_000 {
                out += Array(a...b)
            } else {
                return nil
            }
        }
        return out.isEmpty ? nil : out
    }

    /// The shortest list with ranges for sorted, distinct `indices`: [0,1,2,5,7,8] -> "0-2,5,7-8".
    public static func ranges(_ indices: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let s = Array(Set(indices)).sorted()
        while i < s.count {
            var j = i
            while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
            parts.append(j == i ? "\(s[i])" : "\(s[i])-\(s[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}

/// Quoting for POSIX shells: a word that needs it goes in single quotes, with each
/// single quote written as '\''.
public enum ShellQuote {
    public static func word(_ s: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%")
        if !s.isEmpty && s.unicodeScalars.allSatisfy(safe.contains) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
