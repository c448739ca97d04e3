import DendriteCore
import Foundation

/// dendrite-bench [mlp|cnn|all] [--threads 1,2] [--epochs N] [--warmup BATCHES] [--profile BATCHES]
///
/// Training speed of the engine on MNIST-sized random data against PyTorch reference
/// numbers, plus this machine's raw sgemm speed measured in the same run. Run it in
/// release: `swift run -c release dendrite-bench`.

func usage() -> Never {
    print("""
    usage: dendrite-bench [mlp|cnn|all] [--threads 1,2] [--epochs N] [--warmup BATCHES] [--profile BATCHES]
      mlp|cnn|all        workload (default all): MLP 784-128-10, or the small MNIST CNN
      --threads 1,2      OpenBLAS thread counts to measure, comma-separated (default 1,2)
      --epochs N         timed epochs of 60000 samples per row (default 1)
      --warmup BATCHES   untimed batches before each row (default 30)
      --profile BATCHES  instead of the table: per-layer milliseconds over BATCHES batches
    """)
    exit(2)
}

var workloads = Workload.all
var threadCounts = [1, 2]
var epochs = 1
var warmupBatches = 30
var profileBatches = 0
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "mlp": workloads = [.mlp]
    case "cnn": workloads = [.cnn]
    case "all": workloads = Workload.all
    case "--threads":
        guard let v = args.popFirst() else { usage() }
        let parsed = v.split(separator: ",").compactMap { Int($0) }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0 > 0 }) else { usage() }
        threadCounts = parsed
    case "--epochs":
        guard let v = args.popFirst(), let n = Int(v), n > 0 else { usage() }
        epochs = n
    case "--warmup":
        guard let v = args.popFirst(), let n = Int(v), n > 0 else { usage() }
        warmupBatches = n
    case "--profile":
        guard let v = args.popFirst(), let n = Int(v), n > 0 else { usage() }
        profileBatches = n
    case "-h", "--help": usage()
    default:
        print("dendrite-bench: unknown argument '\(a)'")
        usage()
    }
}

let env = ProcessInfo.processInfo.environment
print("dendrite-bench: 60000 random 28x28 samples, 10 classes, batch 128, SGD lr 0.1, \(epochs) epoch(s) timed")
print("OPENBLAS_CORETYPE=\(env["OPENBLAS_CORETYPE"] ?? "(unset)")  cores=\(ProcessInfo.processInfo.activeProcessorCount)  load average \(loadAverage())")
#if DEBUG
print("warning: debug build of the benchmark; use `swift run -c release dendrite-bench`")
#endif

let train = randomImages(count: 60_000, seed: 1)
let validation = randomImages(count: 128, seed: 2)

if profileBatches > 0 {
    for w in workloads {
        for t in threadCounts { profile(w, threads: t, train: train, batches: profileBatches) }
    }
    exit(0)
}

var rows: [Measurement] = []
for w in workloads {
    for t in threadCounts {
        let m = measure(w, threads: t, epochs: epochs, train: train, validation: validation,
                        warmupBatches: warmupBatches)
        rows.append(m)
    }
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
func f(_ v: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", v) }

print("")
print(pad("model", 5), pad("thr", 3), pad("samples/s", 10), pad("best 50", 9), pad("cpu", 5),
      pad("MFLOP/smp", 9), pad("GFLOP/s", 8), pad("sgemm512", 8), pad("% sgemm", 7),
      pad("torch 1T", 9), pad("ratio", 6), pad("peak MB", 8), pad("loss", 6))
for m in rows {
    let gflops = m.samplesPerSecond * m.flopsPerSample / 1e9
    let ratio = m.threads == 1 ? f(m.samplesPerSecond / m.workload.torchSamplesPerSecond, 2) + "x" : "n/a"
    print(pad(m.workload.name, 5), pad("\(m.threads)", 3), pad(f(m.samplesPerSecond), 10),
          pad(f(m.bestWindowSamplesPerSecond), 9), pad(f(100 * m.cpuShare) + "%", 5),
          pad(f(m.flopsPerSample / 1e6, 3), 9), pad(f(gflops, 1), 8), pad(f(m.sgemmGFlops, 1), 8),
          pad(f(100 * gflops / m.sgemmGFlops, 0) + "%", 7),
          pad(f(m.workload.torchSamplesPerSecond), 9), pad(ratio, 6),
          pad(m.peakRSSMB.map { f($0) } ?? "?", 8), pad(f(Double(m.finalLoss), 3), 6))
}
print("")
print("samples/s: all timed epochs, wall clock, including the Trainer's per-epoch evaluation (128 samples);")
print("best 50: samples/s over the fastest 50 consecutive batches of the run;")
print("cpu: process CPU time / wall time while timed (100% = one core busy; less = the machine was shared);")
print("GFLOP/s counts only the matrix products (forward, weight and input gradients), at samples/s;")
print("sgemm512: OpenBLAS 512x512x512 sgemm at that thread count, best of 8 short windows just before the row;")
print("torch 1T: PyTorch CPU, 1 thread, same model and batch on this machine kind (ratio = samples/s / torch, > 1 = faster);")
print("peak MB: VmHWM of this process during that row (includes the 47 MB dataset).")
let peaks = rows.compactMap(\.peakRSSMB)
print("process peak RSS (VmHWM): \(peaks.isEmpty ? procStatusKB("VmHWM").map { "\($0 / 1024) MB" } ?? "?" : f(peaks.max()!) + " MB")")
