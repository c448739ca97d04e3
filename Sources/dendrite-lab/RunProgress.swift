import Foundation
import DendriteCore
#if canImport(Glibc)
import Glibc
#endif

/// Prints a run's progress: on a terminal, one redrawn bar with the epoch, the batch
/// loss and the time left; otherwise (logs, pipes, CI) one plain line per epoch.
final class RunProgress {
    let totalEpochs: Int
    let interactive: Bool
    private let start = Date()
    private var startEpoch: Int
    private var lastDraw = Date.distantPast
    private var smoothedLoss: Float?
    /// Cumulative N and P epochs as of the last finished epoch.
    private var neuronEpochs = 0
    private var dendriteEpochs = 0

    init(totalEpochs: Int, startEpoch: Int, interactive: Bool = isatty(STDOUT_FILENO) != 0) {
        self.totalEpochs = totalEpochs
        self.startEpoch = startEpoch
        self.interactive = interactive
    }

    func handle(_ event: TrainingEvent) {
        switch event {
        case .batchDone(let epoch, let batch, let perEpoch, let loss):
            smoothedLoss = smoothedLoss.map { 0.95 * $0 + 0.05 * loss } ?? loss
            guard interactive, Date().timeIntervalSince(lastDraw) > 0.1 || batch + 1 == perEpoch else { return }
            lastDraw = Date()
            let done = Double(epoch - 1 - startEpoch) + Double(batch + 1) / Double(perEpoch)
            let total = Double(totalEpochs - startEpoch)
            let elapsed = Date().timeIntervalSince(start)
            let eta = done > 0 ? elapsed / done * (total - done) : 0
            let width = 24
            let filled = min(width, Int(Double(width) * Double(batch + 1) / Double(perEpoch)))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            let line = "\(counter(epoch: epoch)) [\(bar)] loss \(format(smoothedLoss ?? loss, 4))  ETA \(RunProgress.duration(eta))"
            FileHandle.standardOutput.write(Data(("\r" + line + "\u{1B}[K").utf8))
        case .epochDone(let m):
            neuronEpochs = m.neuronEpochs
            dendriteEpochs = m.dendriteEpochs
            let text = "\(counter(epoch: m.epoch))  \(m.phase.rawValue)  loss \(format(m.trainLoss, 4))  "
                + "train \(percent(m.trainAccuracy))  val \(percent(m.validationAccuracy))  "
                + "params \(m.parameters)\(m.dendrites > 0 ? "  dendrites \(m.dendrites)" : "")  \(format(Float(m.seconds), 1))s"
            emit(text)
        case .phaseChanged(let epoch, let from, let to, let reason):
            emit("epoch \(epoch): phase \(from.rawValue) -> \(to.rawValue) (\(reason))")
        case .dendriteAdded(let epoch, let dendrites, let layers, _):
            emit("epoch \(epoch): dendrite set \(dendrites) added to \(layers.joined(separator: ", "))")
        case .candidateCorrelation(let epoch, let inPhase, let heldOut, let batch):
            emit("epoch \(epoch): P epoch \(inPhase), candidate correlation held-out \(format(heldOut, 4)), batch \(format(batch, 4))")
        case .decision(let epoch, let message):
            emit("epoch \(epoch): \(message)")
        case .diverged(let epoch, _, _, let message):
            emit("epoch \(epoch): \(message)")
        }
    }

    /// "epoch 5/120" while only neuron epochs have run; once PB's dendrite (P) epochs
    /// count too, "epoch 88 (N 60/60, P 28)": `epochs` budgets N epochs alone, so
    /// "epoch 88/60" would read as a run past its budget.
    private func counter(epoch: Int) -> String {
        guard dendriteEpochs > 0 else { return "epoch \(epoch)/\(totalEpochs)" }
        return "epoch \(epoch) (N \(neuronEpochs)/\(totalEpochs), P \(dendriteEpochs))"
    }

    private func emit(_ text: String) {
        if interactive {
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + text + "\n").utf8))
        } else {
            say(text)
        }
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "--" }
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", t % 3600 / 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t)s"
    }
}

/// Writes a line to standard output unbuffered, so it interleaves correctly with the
/// progress bar and reaches pipes and logs immediately.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func format(_ v: Float, _ digits: Int) -> String {
    String(format: "%.\(digits)f", Double(v))
}

func percent(_ v: Float) -> String {
    v.isNaN ? "n/a" : String(format: "%.2f%%", Double(v) * 100)
}
