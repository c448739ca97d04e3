import ArgumentParser
import DendriteCore
import Foundation

// dendrite-fuzz: a seeded mutation fuzzer for the project's file parsers.
//
//   swift run -c release dendrite-fuzz [TARGET...] [--runs N] [--seed S] [--replay I [--save PATH]]
//
// Runs N mutated inputs per target (default 1,000,000) and reports, per target, how many
// parsed, how many were rejected with a proper error, and any finding. On a crash the
// input being parsed is written to fuzz-crash-TARGET-I.bin before the process dies, and
// `--replay I` re-creates exactly that input (`--save PATH` writes it out, crash or not).
// Commit such files as regression tests.

@preconcurrency import Glibc

func eprint(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

/// The command line, parsed by swift-argument-parser (as `dendrite-lab` is).
struct FuzzOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dendrite-fuzz",
        abstract: "A seeded mutation fuzzer for the project's file parsers and, past them, its validation and training.",
        discussion: "Targets: \(Targets.all.map(\.name).joined(separator: ", ")) (default: all).")

    @Argument(help: "Targets to fuzz.")
    var names: [String] = []

    @Option(help: "Mutated inputs per target.")
    var runs: Int = 1_000_000

    @Option(help: "Seed of the mutations (the same seed replays the same inputs).")
    var seed: UInt64 = 1

    @Option(help: "Re-create input I only (a crash file's index).")
    var replay: Int?

    @Option(help: "With --replay: write the input to this path, crash or not.")
    var save: String?

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1, got \(runs)") }
        if let replay, replay < 0 { throw ValidationError("--replay takes an input index (0 or more), got \(replay)") }
        if save != nil && replay == nil { throw ValidationError("--save goes with --replay") }
        let known = Set(Targets.all.map(\.name))
        if let bad = names.first(where: { !known.contains($0) }) {
            throw ValidationError("unknown target '\(bad)'; expected some of \(Targets.all.map(\.name).joined(separator: ", "))")
        }
    }
}

let options = FuzzOptions.parseOrExit()
let runs = options.runs, seed = options.seed, replay = options.replay, savePath = options.save
let targets = options.names.isEmpty ? Targets.all : Targets.all.filter { options.names.contains($0.name) }

// Crash capture: the current input lives in a fixed buffer that a signal handler can
// write out with async-signal-safe calls only.
nonisolated(unsafe) var crashBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 22)
nonisolated(unsafe) var crashLength = 0
nonisolated(unsafe) var crashPath = UnsafeMutablePointer<CChar>.allocate(capacity: 512)
// DENDRITE_FUZZ_BACKTRACE=1 leaves signals to the runtime, which prints the trap and a backtrace.
for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT] where ProcessInfo.processInfo.environment["DENDRITE_FUZZ_BACKTRACE"] == nil {
    signal(sig) { s in
        let fd = open(crashPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd >= 0 { _ = write(fd, crashBuffer, crashLength); close(fd) }
        let msg = "dendrite-fuzz: crash (signal); input saved\n"
        _ = msg.withCString { write(2, $0, strlen($0)) }
        signal(s, SIG_DFL)
        raise(s)
    }
}

var failed = false
for t in targets {
    let m = Mutator(seeds: t.seeds, runSeed: seed)
    let range = replay.map { $0...$0 } ?? 0...(runs - 1)
    var parsed = 0, rejected = 0, findings = 0
    let start = Date()
    for i in range {
        let input = m.input(i)
        crashLength = min(input.count, 1 << 22)
        input.withUnsafeBufferPointer { crashBuffer.update(from: $0.baseAddress!, count: crashLength) }
        _ = "fuzz-crash-\(t.name)-\(i).bin".withCString { strncpy(crashPath, $0, 511) }
        if let savePath, replay != nil { FileManager.default.createFile(atPath: savePath, contents: Data(input)) }
        let file = "fuzz-input-\(i)"
        do {
            try t.parse(input, file)
            parsed += 1
        } catch {
            let message = "\(error)"
            // Semantic targets' experiments point at data files: errors may name those.
            let named = message.contains(file) || message.contains(scratchPath) || message.contains(SemanticTargets.folder)
            if message.contains("\n") || !named {
                findings += 1
                if findings <= 5 { print("  finding \(t.name) #\(i): error is not one line naming the file: \(message)") }
            } else {
                rejected += 1
            }
        }
        if replay == nil, i > 0, i % 5_000 == 0 {
            // Counts so far, so a run cut short still reports how far it got.
            eprint("  \(t.name): \(i) inputs, \(parsed) parsed, \(rejected) rejected, \(findings) findings, 0 crashes so far")
        }
    }
    let secs = Date().timeIntervalSince(start)
    print("\(t.name): \(range.count) inputs in \(String(format: "%.1f", secs)) s: \(parsed) parsed, \(rejected) rejected with a one-line error, \(findings) findings, 0 crashes")
    if findings > 0 { failed = true }
}
try? FileManager.default.removeItem(atPath: scratchPath)
exit(failed ? 1 : 0)
