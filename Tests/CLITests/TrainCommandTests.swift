import Foundation
import Testing

@Suite(.serialized) struct TrainCommandTests {
    func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// metrics.csv rows without the wall-clock `seconds` column.
    func metrics(_ folder: URL) throws -> [String] {
        try lines(folder.appendingPathComponent("metrics.csv")).map { $0.split(separator: ",").dropLast().joined(separator: ",") }
    }

    @Test func trainOnAToyExperimentWritesTheWholeRunFolder() throws {
        let out = CLI.temporaryFolder("train").appendingPathComponent("run")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let r = try CLI.run(["train", "experiments/xor-neuron.yaml", "--mode", "none", "--epochs", "3", "--seed", "5",
                             "--out", out.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        for f in ["config.yaml", "source.yaml", "metrics.csv", "events.jsonl", "checkpoint.safetensors",
                  "best.safetensors", "summary.json", "curves.png"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), "missing \(f)")
        }
        let rows = try lines(out.appendingPathComponent("metrics.csv"))
        #expect(rows.first == "epoch,phase,dendrites,parameters,train_loss,train_acc,val_loss,val_acc,lr,n_epochs,p_epochs,seconds")
        #expect(rows.count == 4 && rows[1].hasPrefix("1,N,0,3,"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        for key in ["mode", "seed", "parameters", "dendrite_sets", "best_validation_accuracy", "test_accuracy",
                    "epochs", "wall_seconds", "samples_per_second"] {
            #expect(summary[key] != nil, "summary.json lacks \(key)")
        }
        #expect(summary["mode"] as? String == "none" && summary["seed"] as? Int == 5 && summary["parameters"] as? Int == 3)
        let events = try lines(out.appendingPathComponent("events.jsonl"))
        #expect(events.first?.contains("\"event\":\"started\"") == true && events.last?.contains("\"event\":\"finished\"") == true)
        // Not a terminal: plain lines, no carriage-return progress bar.
        #expect(r.stdout.contains("epoch 3/3") && !r.stdout.contains("\r"))
        // The resolved config reruns as it is.
        let again = try CLI.run(["train", out.appendingPathComponent("config.yaml").path,
                                 "--out", out.deletingLastPathComponent().appendingPathComponent("again").path])
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(try metrics(out) == metrics(out.deletingLastPathComponent().appendingPathComponent("again")))
    }

    /// With PB's dendrite epochs on top of the N budget, the progress line counts both
    /// ("epoch 4 (N 3/8, P 1)"), never an epoch past its budget such as "epoch 9/8".
    @Test func progressCountsNeuronAndDendriteEpochsApart() throws {
        let folder = CLI.temporaryFolder("progress")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("pb.yaml")
        try """
            name: pb-progress
            dataset: {name: xor, count: 200}
            network: {input: [2], layers: [dense 1]}
            mode: pb
            dendrites: {max_dendrites: 2, switch: fixed, fixed_interval: 3, max_p_epochs: 3}
            epochs: 8
            """.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["train", file.path, "--out", folder.appendingPathComponent("run").path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("epoch 3/8  N") && r.stdout.contains("epoch 4 (N 3/8, P 1)  P"), "\(r.stdout)")
        #expect(r.stdout.contains("(N 8/8, P "), "\(r.stdout)")
        #expect(!r.stdout.contains("epoch 9/8") && !r.stdout.contains("epoch 10/8"), "\(r.stdout)")
    }

    @Test func badExperimentFileReportsFileAndLine() throws {
        let folder = CLI.temporaryFolder("bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bad.yaml")
        try "name: bad\ndataset: xor\nnetwork:\n  layers: [dense 2]\nepochs: 3\nbatchsize: 4\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["train", file.path, "--out", folder.appendingPathComponent("run").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(file.path):6: unknown key 'batchsize'; expected one of"), "stderr: \(r.stderr)")
    }

    @Test func secondStartInTheSameFolderIsRefused() throws {
        let out = CLI.temporaryFolder("twice").appendingPathComponent("run")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let args = ["train", "experiments/xor-neuron.yaml", "--mode", "none", "--epochs", "1", "--out", out.path]
        #expect(try CLI.run(args).status == 0)
        let r = try CLI.run(args)
        #expect(r.status != 0 && r.stderr.contains("already holds a run; pass --resume"), "stderr: \(r.stderr)")
    }

    @Test func ctrlCStopsAfterACheckpointAndResumeEndsLikeAnUninterruptedRun() throws {
        let folder = CLI.temporaryFolder("sigint")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("long.yaml")
        // Many short epochs, so the interrupt arrives long before the end even on a busy
        // machine; the stopped run is then resumed to a few epochs past the stop (--epochs may
        // change on resume) and compared with an uninterrupted run of that length.
        try """
            name: long-spiral
            dataset: {name: spiral, count: 1500, noise: 0.05}
            network:
              layers: [dense 24, tanh, dense 24, tanh, dense 2]
            optimizer: {kind: adam, lr: 0.01}
            epochs: 1000
            batch_size: 16
            seed: 2
            """.write(to: file, atomically: true, encoding: .utf8)
        let interrupted = folder.appendingPathComponent("interrupted"), straight = folder.appendingPathComponent("straight")

        let p = try CLI.start(["train", file.path, "--out", interrupted.path])
        let metricsFile = interrupted.appendingPathComponent("metrics.csv")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let rows = try? lines(metricsFile), rows.count >= 3 { break }
            usleep(2_000)
        }
        kill(p.pid, SIGINT)
        #expect(try p.wait() == .exited(130))
        let stoppedRows = try lines(metricsFile).count - 1
        #expect(stoppedRows >= 2 && stoppedRows < 1000, "stopped after \(stoppedRows) epochs")
        #expect(!FileManager.default.fileExists(atPath: interrupted.appendingPathComponent("summary.json").path))

        let total = "\(stoppedRows + 4)"
        let resumed = try CLI.run(["train", file.path, "--out", interrupted.path, "--resume", "--epochs", total])
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        #expect(resumed.stdout.contains("Resuming long-spiral at epoch \(stoppedRows)"))
        let full = try CLI.run(["train", file.path, "--out", straight.path, "--epochs", total])
        #expect(full.status == 0)
        let a = try metrics(straight), b = try metrics(interrupted)
        #expect(a.count == stoppedRows + 5)
        #expect(a == b)
    }

    @Test func compareWritesATableOfRuns() throws {
        let out = CLI.temporaryFolder("compare")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try CLI.run(["compare", "experiments/xor-neuron.yaml", "experiments/spirals.yaml",
                             "--modes", "none", "--epochs", "2", "--out", out.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let md = try String(contentsOf: out.appendingPathComponent("compare.md"), encoding: .utf8)
        #expect(md.contains("| experiment | mode | dataset | parameters |"))
        #expect(md.contains("| xor-neuron | none | xor | 3 | 0 |") && md.contains("| spirals | none | spiral | 114 | 0 |"), "\(md)")
        let csv = try lines(out.appendingPathComponent("compare.csv"))
        #expect(csv.count == 3)
        let png = try Data(contentsOf: out.appendingPathComponent("params-accuracy.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 5_000)
        // A second identical compare reuses the finished runs.
        let again = try CLI.run(["compare", "experiments/xor-neuron.yaml", "--modes", "none", "--epochs", "2", "--out", out.path])
        #expect(again.stdout.contains("Reusing the finished run"), "\(again.stdout)")
    }

    @Test func compareAddsAParamMatchedPlainBaselineForEveryDendriteRun() throws {
        let out = CLI.temporaryFolder("matched")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try CLI.run(["compare", "experiments/spirals.yaml", "--modes", "none,gd", "--epochs", "40", "--out", out.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let csv = try lines(out.appendingPathComponent("compare.csv")).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(csv.count == 4, "\(csv)")
        guard csv.count == 4 else { return }
        let gd = csv[2], matched = csv[3]
        #expect(gd[1] == "gd" && matched[1] == "none" && matched[8] == "matches gd")
        // The widened plain net is the closest in size to the dendrite run (hidden widths step by 1).
        let dendriteParams = Int(gd[4])!, matchedParams = Int(matched[4])!
        #expect(Int(gd[5])! > 0, "the gd run grew no dendrites in 40 epochs")
        #expect(abs(matchedParams - dendriteParams) * 10 < dendriteParams, "\(matchedParams) vs \(dendriteParams)")
        #expect(matched[0].hasPrefix("spirals plain h"))
    }

    @Test func compareOverSeveralSeedsReportsMeanAndSpread() throws {
        let out = CLI.temporaryFolder("seeds")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try CLI.run(["compare", "experiments/spirals.yaml", "--modes", "none", "--seeds", "1,2,3", "--epochs", "3",
                             "--out", out.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let csv = try lines(out.appendingPathComponent("compare.csv"))
        #expect(csv.count == 4 && csv[1...].map { $0.split(separator: ",")[3] } == ["1", "2", "3"], "\(csv)")
        let accs = csv[1...].map { Double($0.split(separator: ",")[6])! }
        let mean = accs.reduce(0, +) / 3
        let sd = (accs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
        let md = try String(contentsOf: out.appendingPathComponent("compare.md"), encoding: .utf8)
        #expect(md.contains("| seeds |"))
        #expect(md.contains(String(format: "| %.2f%% ± %.2f | 3 |", mean * 100, sd * 100)), "\(md)")
        let bad = try CLI.run(["compare", "experiments/spirals.yaml", "--seeds", "1,x"])
        #expect(bad.status != 0 && bad.stderr.contains("--seeds takes whole numbers"))
    }
}
