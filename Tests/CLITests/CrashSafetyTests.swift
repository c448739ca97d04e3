import Foundation
import Testing
import DendriteCore

/// SIGKILL at seeded random points, then `--resume`: the run must end exactly where an
/// uninterrupted run with the same seed ends, and no file in the folder may ever be half
/// written. (Ctrl-C is covered by TrainCommandTests.)
@Suite struct CrashSafetyTests {
    static let experiment = """
        name: crash
        dataset: {name: spiral, count: 600, noise: 0.05}
        network:
          layers: [dense 16, tanh, dense 16, tanh, dense 2]
        optimizer: {kind: adam, lr: 0.01}
        epochs: 24
        batch_size: 16
        seed: 4
        """

    /// Every file a killed run leaves (temporaries aside) is complete and readable.
    func expectWholeFiles(_ out: URL, context: String) throws {
        let fm = FileManager.default
        for name in ["checkpoint.safetensors", "best.safetensors"] where fm.fileExists(atPath: out.appendingPathComponent(name).path) {
            #expect(throws: Never.self, "\(context): \(name) unreadable") { try Checkpoint.read(from: out.appendingPathComponent(name)) }
        }
        let metrics = out.appendingPathComponent("metrics.csv")
        if let text = try? String(contentsOf: metrics, encoding: .utf8) {
            #expect(text.isEmpty || text.hasSuffix("\n"), "\(context): metrics.csv ends mid-line")
            for row in text.split(separator: "\n") {
                #expect(row.split(separator: ",", omittingEmptySubsequences: false).count == 12, "\(context): bad row \(row)")
            }
        }
        if let text = try? String(contentsOf: out.appendingPathComponent("events.jsonl"), encoding: .utf8) {
            #expect(text.isEmpty || text.hasSuffix("\n"), "\(context): events.jsonl ends mid-line")
            for line in text.split(separator: "\n") {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(context): bad event \(line)")
            }
        }
    }

    /// A plain run, and a PB run whose kills also land inside a dendrite phase (epochs
    /// 44-123 of xor-neuron), where resuming replays the phase from the checkpoint before it.
    static let cases: [(label: String, file: String?, extra: [String], epochs: Int)] = [
        ("plain", nil, [], 24),
        ("pb", "experiments/xor-neuron.yaml", ["--epochs", "150"], 150),
    ]

    @Test(arguments: [0, 1])
    func sigkillAtRandomPointsThenResumeEndsLikeAnUninterruptedRun(_ index: Int) throws {
        let c = CrashSafetyTests.cases[index]
        let folder = CLI.temporaryFolder("sigkill-\(c.label)")
        var file = URL(fileURLWithPath: c.file ?? "", relativeTo: CLI.packageRoot)
        if c.file == nil {
            file = folder.appendingPathComponent("crash.yaml")
            try RunFolder.write(CrashSafetyTests.experiment, to: file)
        }
        let straight = folder.appendingPathComponent("straight"), killed = folder.appendingPathComponent("killed")
        let full = try CLI.run(["train", file.path, "--out", straight.path] + c.extra)
        #expect(full.status == 0, "stderr: \(full.stderr)")

        var rng = RNG(seed: 2026 + UInt64(index))
        let epochs = c.epochs
        var kills: [String] = []
        var killedMidRun = 0
        for attempt in 0..<6 {
            let done = max(0, ((try? RunFolder.lines(killed.appendingPathComponent("metrics.csv")).count) ?? 1) - 1)
            // Kill once some number of metric rows exist (0 = during start-up), plus a random
            // delay of up to 3 ms, so the kill lands anywhere in an epoch or a write.
            let target = attempt == 0 ? 0 : done + 1 + Int(rng.next() % UInt64(max(1, (epochs - done) / 2)))
            let jitter = useconds_t(rng.next() % 3000)
            var args = ["train", file.path, "--out", killed.path] + c.extra
            if attempt > 0 { args.append("--resume") }
            let p = try CLI.start(args)
            let deadline = Date().addingTimeInterval(30)
            while (try? p.poll()) == nil && Date() < deadline {
                let rows = ((try? RunFolder.lines(killed.appendingPathComponent("metrics.csv")).count) ?? 0) - 1
                if rows >= target { break }
                usleep(500)
            }
            usleep(jitter)
            kill(p.pid, SIGKILL)
            let killedNow = try p.wait().signal != nil
            if killedNow { killedMidRun += 1 }
            kills.append("after \(target) rows + \(jitter) us (\(killedNow ? "killed" : "had exited"))")
            try expectWholeFiles(killed, context: "kill \(attempt)")
        }
        // Otherwise the test proved nothing: the runs must really have been cut short.
        #expect(killedMidRun >= 4, "kills \(kills)")
        let resumed = try CLI.run(["train", file.path, "--out", killed.path, "--resume"] + c.extra)
        #expect(resumed.status == 0, "kills \(kills); stderr: \(resumed.stderr)")

        #expect(try RunFolder.metrics(killed) == RunFolder.metrics(straight), "kills \(kills)")
        for name in ["checkpoint.safetensors", "best.safetensors"] {
            #expect(try RunFolder.tensors(killed.appendingPathComponent(name)) == RunFolder.tensors(straight.appendingPathComponent(name)),
                    "\(name) differs; kills \(kills)")
        }
        #expect(RunFolder.temporaries(killed).isEmpty, "left behind: \(RunFolder.temporaries(killed))")
        #expect(FileManager.default.fileExists(atPath: killed.appendingPathComponent("summary.json").path))
    }
}
