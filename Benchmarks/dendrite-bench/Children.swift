import DendriteCore
import Foundation

/// The processes dendrite-bench starts: itself once per row (so each row's peak RSS is
/// its own), PyTorch's twin script, and the full MNIST run whose peak RSS it reports.

/// This executable's own path.
func selfPath() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

/// Runs `path args` to the end; returns its stdout and exit status (-1 when it cannot
/// start). Its stderr stays this process's. Through `ChildProcess`, not Foundation's
/// `Process`, whose waitUntilExit once waited forever on a child that had exited.
func runCapturing(_ path: String, _ args: [String], environment: [String: String]? = nil) -> (out: String, status: Int32) {
    guard let r = try? ChildProcess.run(path, args, environment: environment, capturesStderr: false) else { return ("", -1) }
    return (r.stdout, r.status)
}

func measureInChild(_ w: Workload, threads: Int, epochs: Int, warmupBatches: Int) -> Measurement? {
    let (out, status) = runCapturing(selfPath(), ["--one", w.name, "--threads", "\(threads)",
                                                  "--epochs", "\(epochs)", "--warmup", "\(warmupBatches)"])
    guard status == 0, let line = out.split(separator: "\n").last(where: { $0.hasPrefix("ROW ") }) else { return nil }
    return try? JSONDecoder().decode(Measurement.self, from: Data(line.dropFirst(4).utf8))
}

/// One line of pytorch_bench.py.
struct TorchResult: Decodable {
    let samplesPerSecond: Double
    let peakRSSMB: Double
    let cpuShare: Double
    enum CodingKeys: String, CodingKey {
        case samplesPerSecond = "samples_per_second", peakRSSMB = "peak_rss_mb", cpuShare = "cpu_share"
    }
}

/// The first python that can `import torch`: $DENDRITE_TORCH_PYTHON, the venv, python3.
func findTorchPython() -> String? {
    var candidates = ["/opt/torch-venv/bin/python", "/usr/bin/python3", "/usr/local/bin/python3"]
    if let p = ProcessInfo.processInfo.environment["DENDRITE_TORCH_PYTHON"] { candidates.insert(p, at: 0) }
    for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
        if runCapturing(c, ["-c", "import torch"]).status == 0 { return c }
    }
    return nil
}

func torchVersion(_ python: String) -> String? {
    let r = runCapturing(python, ["-c", "import torch; print('torch', torch.__version__)"])
    return r.status == 0 ? r.out.trimmingCharacters(in: .whitespacesAndNewlines) : nil
}

/// The package root this benchmark was built from.
func repoRoot() -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
}

/// Benchmarks/pytorch_bench.py next to this source tree ($DENDRITE_TORCH_SCRIPT overrides).
func torchScript() -> String {
    if let s = ProcessInfo.processInfo.environment["DENDRITE_TORCH_SCRIPT"] { return s }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pytorch_bench.py").path
}

func runTorch(python: String, workload: String, threads: Int, epochs: Int, warmupBatches: Int) -> TorchResult? {
    var env = ProcessInfo.processInfo.environment
    env["OMP_NUM_THREADS"] = "\(threads)"
    env["MKL_NUM_THREADS"] = "\(threads)"
    let (out, status) = runCapturing(python, [torchScript(), "--workload", workload, "--threads", "\(threads)",
                                              "--epochs", "\(epochs)", "--warmup", "\(warmupBatches)",
                                              "--pool", "\(DendriteConfig.defaultPool)"],
                                     environment: env)
    guard status == 0, let line = out.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
        FileHandle.standardError.write(Data("pytorch_bench.py \(workload) failed (status \(status))\n".utf8))
        return nil
    }
    return try? JSONDecoder().decode(TorchResult.self, from: Data(line.utf8))
}

/// Peak RSS of `dendrite-lab train experiments/mnist-mlp-wide.yaml --epochs 2`, read
/// from the child's own rusage (wait4), so nothing else this process started counts.
func mnistPeakRSS() -> String {
    let lab = URL(fileURLWithPath: selfPath()).deletingLastPathComponent().appendingPathComponent("dendrite-lab").path
    guard FileManager.default.isExecutableFile(atPath: lab) else {
        return "skipped: \(lab) not built (swift build -c release --product dendrite-lab)"
    }
    let out = NSTemporaryDirectory() + "dendrite-bench-mnist-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: out) }
    let argv = [lab, "train", repoRoot() + "/experiments/mnist-mlp-wide.yaml", "--epochs", "2", "--out", out]
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for p in cargs { free(p) } }
    let start = monotonicSeconds()
    guard posix_spawn(&pid, lab, &actions, nil, &cargs, environ) == 0 else { return "could not start \(lab)" }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let seconds = monotonicSeconds() - start
    let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    guard exited == 0 else { return "dendrite-lab exited with status \(exited) (is MNIST cached? `dendrite-lab data mnist`)" }
    return String(format: "peak RSS %.0f MB (ru_maxrss of the child), %.1f s wall", Double(usage.ru_maxrss) / 1024, seconds)
}
