import ArgumentParser
import DendriteCore
import Foundation

/// dendrite-bench [compare] [WORKLOAD|mlp|cnn|dendrites|all ...] [--threads 1,2] [--epochs N]
///                [--warmup BATCHES] [--profile BATCHES] [--no-mnist]
///
/// Training speed of the engine on MNIST-sized random data, side by side with PyTorch
/// (`compare`), plus this machine's raw sgemm speed measured in the same run. Each row
/// of ours runs in a child process of dendrite-bench (`--one`), so its peak RSS is its own.
/// Run it in release: `swift run -c release dendrite-bench compare`.

/// The command line, parsed by swift-argument-parser (as `dendrite-lab` is).
struct BenchOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dendrite-bench",
        abstract: "Training speed of the engine on MNIST-sized random data, side by side with PyTorch.",
        discussion: """
            WORKLOAD: mlp, cnn, dann (128x8x16 local dendritic layer), narrow-gd1, narrow-gd3, \
            narrow-pb1, narrow-pb3, cnn-gd1, cnn-gd3, cnn-pb1, cnn-pb3 (as pytorch_bench.py), and ours \
            only: narrow-pn0, narrow-pn1, cnn-pn0, cnn-pn1 (PB neuron phase with 0 / 1 accepted sets), \
            local16-gd1, local16-gd3, local16-pb1, local16-pb3 (the narrow rows with dendrites and \
            candidates of 16 local inputs each); local = those four; \
            dendrites = all dendrite rows; all (the default) = everything. `compare` also runs \
            Benchmarks/pytorch_bench.py on every row (python from $DENDRITE_TORCH_PYTHON, \
            /opt/torch-venv/bin/python or python3, the first that can import torch).
            """)

    @Argument(help: "[compare] and workloads: a WORKLOAD name, dendrites or all.")
    var names: [String] = []

    @Option(help: "OpenBLAS / torch thread counts, comma-separated.")
    var threads: String = "1,2"

    @Option(help: "Timed epochs of 60000 samples per row.")
    var epochs: Int = 1

    @Option(help: "Untimed batches before each row.")
    var warmup: Int = 30

    @Option(help: "Instead of the table: per-layer milliseconds over this many batches.")
    var profile: Int = 0

    @Flag(help: "Skip the peak-RSS run of `dendrite-lab train experiments/mnist-mlp-wide.yaml --epochs 2`.")
    var noMnist = false

    @Option(help: .hidden)
    var one: String?

    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0) } }

    func validate() throws {
        let t = threadCounts
        guard !t.isEmpty, t.count == threads.split(separator: ",").count, t.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--threads takes positive whole numbers separated by commas, e.g. 1,2; got '\(threads)'")
        }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if warmup < 1 { throw ValidationError("--warmup must be at least 1, got \(warmup)") }
        if profile < 0 { throw ValidationError("--profile must be 0 or more, got \(profile)") }
        if let one, Workload.named(one) == nil { throw ValidationError("--one: unknown workload '\(one)'") }
        for n in names where !["compare", "--torch", "all", "dendrites", "local"].contains(n) && Workload.named(n) == nil {
            throw ValidationError("unknown workload '\(n)'; see --help for the list")
        }
    }

    var workloads: [Workload] {
        let chosen = names.flatMap { n -> [Workload] in
            switch n {
            case "compare", "--torch": return []
            case "all": return Workload.all
            case "dendrites": return Workload.dendriteWorkloads + Workload.localWorkloads + Workload.neuronPhaseWorkloads
            case "local": return Workload.localWorkloads
            default: return Workload.named(n).map { [$0] } ?? []
            }
        }
        return chosen.isEmpty ? Workload.all : chosen
    }
}

let options = BenchOptions.parseOrExit()
let workloads = options.workloads
let threadCounts = options.threadCounts
let epochs = options.epochs
let warmupBatches = options.warmup
let profileBatches = options.profile
let compareWithTorch = options.names.contains("compare") || options.names.contains("--torch")
let runMNIST = !options.noMnist
let childWorkload = options.one.flatMap(Workload.named)

// Child: measure one row, print it as one JSON line, exit.
if let w = childWorkload {
    let m = measure(w, threads: threadCounts[0], epochs: epochs, train: randomImages(count: 60_000, seed: 1),
                    validation: randomImages(count: 128, seed: 2), warmupBatches: warmupBatches)
    let data = try! JSONEncoder().encode(m)
    print("ROW " + String(decoding: data, as: UTF8.self))
    exit(0)
}

let env = ProcessInfo.processInfo.environment
print("dendrite-bench: 60000 random 28x28 samples, 10 classes, batch 128, SGD lr 0.1, warm-up \(warmupBatches) batches, \(epochs) epoch(s) timed")
print("cpu: \(cpuModel())  cores=\(ProcessInfo.processInfo.activeProcessorCount)  OPENBLAS_CORETYPE=\(env["OPENBLAS_CORETYPE"] ?? "(unset)")")
print("load average at start: \(loadAverage())")
#if DEBUG
print("warning: debug build of the benchmark; use `swift run -c release dendrite-bench`")
#endif

if profileBatches > 0 {
    let train = randomImages(count: 60_000, seed: 1)
    for w in workloads {
        for t in threadCounts { profile(w, threads: t, train: train, batches: profileBatches) }
    }
    exit(0)
}

let python: String? = compareWithTorch ? findTorchPython() : nil
if compareWithTorch {
    if let python {
        print("torch: \(python) \(torchVersion(python) ?? "")")
    } else {
        print("torch: not found (tried $DENDRITE_TORCH_PYTHON, /opt/torch-venv/bin/python, python3); our figures alone")
    }
}

struct Row {
    let ours: Measurement?
    let torch: TorchResult?
    let workload: Workload
    let threads: Int
}
var rows: [Row] = []
for w in workloads {
    for t in threadCounts {
        let ours = measureInChild(w, threads: t, epochs: epochs, warmupBatches: warmupBatches)
        var torch: TorchResult?
        if let python, w.hasTorchTwin {
            torch = runTorch(python: python, workload: w.name, threads: t, epochs: epochs, warmupBatches: warmupBatches)
        }
        rows.append(Row(ours: ours, torch: torch, workload: w, threads: t))
        FileHandle.standardError.write(Data("  done \(w.name) \(t)T\n".utf8))
    }
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
func f(_ v: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", v) }

print("")
print(pad("workload", 11), pad("thr", 3), pad("ours/s", 8), pad("best 50", 8), pad("cpu", 5),
      pad("vs 1T", 5), pad("torch/s", 8), pad("t cpu", 5), pad("ratio", 6), pad("GFLOP/s", 7), pad("sgemm", 6),
      pad("%sgemm", 6), pad("ours MB", 7), pad("torch MB", 8), pad("s/epoch", 7))
for r in rows {
    guard let m = r.ours else {
        print(pad(r.workload.name, 11), pad("\(r.threads)", 3), "  our run failed")
        continue
    }
    let gflops = m.samplesPerSecond * m.flopsPerSample / 1e9
    var torchRate = "-", torchCPU = "-", ratio = "-", torchMB = "-"
    if let t = r.torch {
        torchRate = f(t.samplesPerSecond); torchCPU = f(100 * t.cpuShare) + "%"
        ratio = f(m.samplesPerSecond / t.samplesPerSecond, 2) + "x"; torchMB = f(t.peakRSSMB)
    } else if python == nil, r.threads == 1, let ref = r.workload.torchSamplesPerSecond {
        torchRate = f(ref) + "*"; ratio = f(m.samplesPerSecond / ref, 2) + "x*"
    }
    // This row against the same workload's 1-thread row of this run.
    let oneThread = rows.first { $0.workload.name == r.workload.name && $0.threads == 1 }?.ours
    let scaling = r.threads > 1 ? oneThread.map { f(m.samplesPerSecond / $0.samplesPerSecond, 2) + "x" } ?? "-" : "-"
    print(pad(r.workload.name, 11), pad("\(r.threads)", 3), pad(f(m.samplesPerSecond), 8),
          pad(f(m.bestWindowSamplesPerSecond), 8), pad(f(100 * m.cpuShare) + "%", 5), pad(scaling, 5),
          pad(torchRate, 8), pad(torchCPU, 5), pad(ratio, 6),
          pad(f(gflops, 1), 7), pad(f(m.sgemmGFlops, 1), 6), pad(f(100 * gflops / m.sgemmGFlops) + "%", 6),
          pad(m.peakRSSMB.map { f($0) } ?? "?", 7), pad(torchMB, 8), pad(f(m.secondsPerEpoch, 2), 7))
}

// PB dendrite-phase epoch against neuron-phase epochs, one dendrite set (goal <= 1.5x).
var phaseLines: [String] = []
for base in ["narrow", "cnn"] {
    for t in threadCounts {
        func epochSeconds(_ name: String) -> Double? {
            rows.first { $0.workload.name == name && $0.threads == t }?.ours?.secondsPerEpoch
        }
        guard let p = epochSeconds("\(base)-pb1") else { continue }
        var parts: [String] = []
        if let n0 = epochSeconds("\(base)-pn0") { parts.append("/ N phase before it (0 sets) = \(f(p / n0, 2))x") }
        if let n1 = epochSeconds("\(base)-pn1") { parts.append("/ N phase after it (1 set) = \(f(p / n1, 2))x") }
        if !parts.isEmpty { phaseLines.append("  \(base) \(t)T: P epoch \(f(p, 2)) s " + parts.joined(separator: ", ")) }
        // The floor: the candidates' two products alone, against the same N epoch.
        if let n0 = epochSeconds("\(base)-pn0"),
           let c = rows.first(where: { $0.workload.name == "\(base)-pb1" && $0.threads == t })?.ours?.candidateProductsSecondsPerEpoch {
            phaseLines.append("  \(base) \(t)T: the candidates' forward and weight-gradient products alone \(f(c, 2)) s"
                              + " = \(f(c / n0, 2))x the N phase before it (the least a P epoch can cost)")
        }
    }
}
if !phaseLines.isEmpty {
    print("\nPB dendrite-phase epoch (training the first set) / neuron-phase epoch (goal <= 1.5x):")
    phaseLines.forEach { print($0) }
}

// Sampled dendrites against dense ones: the same narrow workload, the same thread count.
let localLines: [String] = rows.compactMap { r in
    guard let twin = r.workload.denseTwin, let m = r.ours,
          let d = rows.first(where: { $0.workload.name == twin && $0.threads == r.threads })?.ours else { return nil }
    return "  \(r.workload.name) \(r.threads)T: \(f(m.samplesPerSecond)) samples/s, \(twin) \(f(d.samplesPerSecond)): "
        + "\(f(m.samplesPerSecond / d.samplesPerSecond, 2))x (best 50: \(f(m.bestWindowSamplesPerSecond / d.bestWindowSamplesPerSecond, 2))x)"
}
if !localLines.isEmpty {
    print("\nLocal dendrites (16 inputs each) / dense dendrites (784 inputs each), narrow MLP 784-8-10 (> 1 = local faster):")
    localLines.forEach { print($0) }
}

if runMNIST {
    print("\nfull MNIST MLP run: dendrite-lab train experiments/mnist-mlp-wide.yaml --epochs 2 (goal peak RSS <= 150 MB)")
    print("  " + mnistPeakRSS())
}

print("")
print("ours/s, torch/s: samples/s from the end of the warm-up to the end of the timed epoch(s), wall clock,")
print("  including each epoch's end (evaluation on 128 samples; in a PB dendrite phase the correlation measurement on 1024);")
print("best 50: our samples/s over the fastest 50 consecutive batches;")
print("cpu, t cpu: process CPU time / wall time while timed (100% = one core busy; at 2 threads up to 200%;")
print("  less than the thread count means the machine was shared or the work did not parallelise);")
print("vs 1T: ours/s against our own 1-thread row of the same workload in this run (how well the threads scale);")
print("ratio: ours / torch (> 1 = we are faster); a * marks a stored single-thread torch reference (torch not run);")
print("GFLOP/s counts only the useful matrix products (forward, weight and input gradients) at ours/s;")
print("sgemm: OpenBLAS 512x512x512 sgemm GFLOP/s at that thread count, best of 8 short windows, in the same child just after the row;")
print("ours MB, torch MB: peak RSS (VmHWM / ru_maxrss) of the process that ran the row, its 60000-sample dataset included")
print("  (ours keeps it as 47 MB of bytes, torch as 188 MB of floats).")
print("load average at end: \(loadAverage())")
