import Foundation
import Testing

/// Same experiment, same seed, same `--threads`: the same metrics.csv (all but the
/// wall-clock seconds) and the same checkpoint, bit for bit. Across thread counts the
/// runs agree only to rounding (measured: the last bits of some weights differ between
/// one and two threads), which the test bounds. Layers are 128 wide at batch 64, past
/// Dense's split threshold, so with two threads the products really are cut into pieces.
@Suite struct DeterminismTests {
    static let experiment = """
        name: determinism
        dataset: {name: spiral, count: 800, noise: 0.05}
        network:
          layers: [dense 128, relu, dense 128, relu, dense 2]
        optimizer: {kind: adam, lr: 0.003}
        epochs: 3
        batch_size: 64
        seed: 9
        """

    /// The CPUs this process may use, from the kernel's own report (not the code under test).
    static let allowedCPUs: [Int] = {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return [] }
        return line.dropFirst("Cpus_allowed_list:".count).split(separator: ",").flatMap { part -> [Int] in
            let ends = part.trimmingCharacters(in: .whitespaces).split(separator: "-").compactMap { Int($0) }
            guard let lo = ends.first else { return [] }
            return Array(lo...(ends.last ?? lo))
        }
    }()

    @Test func sameSeedGivesIdenticalRunsWithOneAndTwoThreads() throws {
        let folder = CLI.temporaryFolder("determinism")
        let file = folder.appendingPathComponent("det.yaml")
        try RunFolder.write(DeterminismTests.experiment, to: file)
        var metrics: [String: [String]] = [:]
        var tensors: [String: [String: [UInt32]]] = [:]
        for threads in [1, 2] {
            for attempt in 0..<2 {
                let key = "t\(threads)-\(attempt)"
                let out = folder.appendingPathComponent(key)
                let r = try CLI.run(["train", file.path, "--threads", "\(threads)", "--out", out.path])
                #expect(r.status == 0, "\(key): \(r.stderr)")
                // Two threads on a machine that allows two CPUs: each thread kept on its own.
                let pinned = r.stdout.split(separator: "\n").first { $0.contains("each kept on a CPU of its own") }
                if threads == 2 && Self.allowedCPUs.count >= 2 {
                    #expect(pinned?.contains("(\(Self.allowedCPUs[0]), \(Self.allowedCPUs[1]))") == true, "\(key): \(r.stdout)")
                } else {
                    #expect(pinned == nil, "\(key): \(r.stdout)")
                }
                metrics[key] = try RunFolder.metrics(out)
                tensors[key] = try RunFolder.tensors(out.appendingPathComponent("checkpoint.safetensors"))
            }
        }
        #expect(metrics["t1-0"]?.count == 4)
        for threads in [1, 2] {
            let a = "t\(threads)-0", b = "t\(threads)-1"
            #expect(metrics[a] == metrics[b], "\(threads) thread(s): metrics.csv differs between two runs")
            #expect(tensors[a] == tensors[b], "\(threads) thread(s): checkpoint differs between two runs")
        }
        // One thread against two: same tensors, values equal up to float rounding.
        let one = tensors["t1-0"] ?? [:], two = tensors["t2-0"] ?? [:]
        #expect(Set(one.keys) == Set(two.keys) && !one.isEmpty)
        var worst: Float = 0
        for (name, a) in one {
            guard let b = two[name], a.count == b.count else { Issue.record("\(name) differs in size"); continue }
            for (x, y) in zip(a, b) {
                let u = Float(bitPattern: x), v = Float(bitPattern: y)
                worst = max(worst, abs(u - v) / max(abs(u), abs(v), 1e-3))
            }
        }
        #expect(worst < 1e-3, "one and two threads differ by \(worst) (relative)")
    }
}
