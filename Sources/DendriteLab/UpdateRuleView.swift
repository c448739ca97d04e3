import Foundation
import DendriteCore

/// The learning rule the shown neuron is under right now, with its live numbers, so a
/// student sees *what* changes in each phase (design.md 2.2):
///
/// - neuron phase (N), and modes none / gd: backprop, `w ← w − lr · ∂L/∂w`, with the
///   neuron's error signal E = ∂L/∂y or ∂L/∂h (running mean and sd), the size |∂L/∂w| of its incoming
///   weights' gradient on the last batch, and the learning rate;
/// - PB dendrite phase (P): the neuron is frozen and its candidate dendrite ascends the
///   correlation score `S = sign(cov)·cov(V,E)/(sd V · sd E)` with the running
///   statistics the core keeps (`CandidateTrainer.states`) and the candidate's own lr.
///
/// Read-only: everything comes from public state of the trainer and the layers.
public struct UpdateRule: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case backprop, correlation }
    public var kind: Kind
    public var title: String
    /// The rule in symbols.
    public var formula: String
    /// Live values, one short line each.
    public var values: [String]
    /// What the rule means for this neuron now (a sentence, muted).
    public var note: String

    /// The rule for hidden or output neuron `ref` (column ≥ 1) of `session`; nil for inputs.
    public static func read(_ session: LabSession, neuron ref: NeuronRef) -> UpdateRule? {
        let groups = NeuronGroup.groups(of: session.network)
        guard ref.column >= 1, ref.column - 1 < groups.count, ref.unit < groups[ref.column - 1].units else { return nil }
        let group = groups[ref.column - 1]
        let layer = session.network.layers[group.neuronLayer]
        let perforated = layer as? PerforatedLayer
        let unit = ref.unit
        let trainer = session.trainer
        if trainer.phase == .dendrite, session.config.mode == .pb {
            return correlation(trainer: trainer, layer: perforated, unit: unit)
        }
        var values: [String] = []
        if let p = perforated, p.errorStatistics.updates > 0, unit < p.errorStatistics.mean.count {
            let sd = p.errorStatistics.variance[unit].squareRoot()
            values.append("E = \(group.errorSignal.symbol)  mean \(fmt4(p.errorStatistics.mean[unit]))  sd \(fmt4(sd))")
        } else if let d = denseCore(of: layer), unit < d.bias.grad.count {
            // Without dendrites no running E is kept; ∂L/∂b is this batch's mean error.
            values.append("E this batch (= ∂L/∂b) \(fmt4(Double(d.bias.grad[unit])))")
        }
        if let d = denseCore(of: layer), d.weight.value.shape.count == 2 {
            let fanIn = d.weight.value.shape[1]
            var sq: Float = 0
            for j in 0..<fanIn { let g = d.weight.grad[unit * fanIn + j]; sq += g * g }
            values.append("|∂L/∂w| \(fmt4(Double(sq.squareRoot())))  over \(fanIn) incoming weights")
        }
        let adam = trainer.optimizer is Adam
        values.append("lr \(fmt4(Double(trainer.optimizer.learningRate)))" + (adam ? "  (Adam scales each step)" : ""))
        let phaseName: String
        let note: String
        switch session.config.mode {
        case .none:
            phaseName = "backprop"
            note = "Every weight moves against its gradient each batch."
        case .gd:
            phaseName = "backprop (gd: dendrites too)"
            note = "Neuron and dendrite weights all follow the gradient together."
        case .pb:
            phaseName = "neuron phase N"
            note = "Neurons learn; dendrites are frozen. E is what a candidate will chase."
        }
        return UpdateRule(kind: .backprop, title: "Update rule · \(phaseName)",
                          formula: "w ← w − lr · ∂L/∂w", values: values, note: note)
    }

    static func correlation(trainer: Trainer, layer: PerforatedLayer?, unit: Int) -> UpdateRule {
        let formula = "S = sign(cov)·cov(V,E) / (sd V · sd E)"
        let lr = trainer.candidates?.optimizer.learningRate ?? trainer.dendriteConfig.candidateLearningRate
        guard let p = layer, let cand = trainer.candidates, let li = cand.layers.firstIndex(where: { $0 === p }),
              li < cand.states.count, unit < cand.states[li].covariance.count else {
            return UpdateRule(kind: .correlation, title: "Update rule · dendrite phase P", formula: formula,
                              values: ["candidate lr \(fmt4(Double(lr)))"],
                              note: "This layer grows no candidate: its weights are frozen during P.")
        }
        let s = cand.states[li]
        let sdV = s.varianceV[unit].squareRoot(), sdE = s.varianceE[unit].squareRoot()
        let cov = s.covariance[unit]
        let score = s.runningCorrelations[unit]
        let best = li < cand.bestCorrelations.count && unit < cand.bestCorrelations[li].count ? cand.bestCorrelations[li][unit] : -1
        let values = [
            "V candidate output: mean \(fmt4(s.meanV[unit]))  sd \(fmt4(sdV))",
            "E neuron error: mean \(fmt4(s.meanE[unit]))  sd \(fmt4(sdE))",
            "cov(V,E) \(fmt4(cov))   S = \(fmt4(score))   candidate lr \(fmt4(Double(lr)))",
        ]
        let bestText = best >= 0 ? " Best measured |corr| \(fmt4(best))." : ""
        return UpdateRule(kind: .correlation, title: "Update rule · dendrite phase P", formula: formula,
                          values: values, note: "Neuron frozen; its candidate's W, b climb S." + bestText)
    }
}

/// Draws an `UpdateRule` as a small card: title, the formula, the live values, a note.
public enum UpdateRuleView {
    /// Height the card wants for `rule` (title, formula, values, note).
    public static func height(for rule: UpdateRule) -> Float { 28 + 22 + Float(rule.values.count) * 17 + 24 }

    public static func draw(_ canvas: Canvas, in rect: Rect, rule: UpdateRule) {
        let t = canvas.theme
        guard rect.h > 40, rect.w > 80 else { return }
        Panel.draw(canvas, rect, title: rule.title)
        let x = rect.x + 12, width = rect.w - 24
        var y = rect.y + 32
        let formulaColor = rule.kind == .correlation ? t.correlationColor : t.errorColor
        canvas.text(canvas.fitted(rule.formula, width: width, size: t.bodySize, bold: true), at: Vec2(x, y),
                    size: t.bodySize, formulaColor, bold: true)
        y += 22
        for v in rule.values where y + 15 < rect.maxY {
            canvas.text(canvas.fitted(v, width: width, size: t.smallSize + 1), at: Vec2(x, y), size: t.smallSize + 1, t.text)
            y += 17
        }
        if y + 14 < rect.maxY {
            canvas.text(canvas.fitted(rule.note, width: width, size: t.smallSize), at: Vec2(x, y + 3), size: t.smallSize, t.mutedText)
        }
    }
}

func fmt4(_ v: Double) -> String {
    guard v.isFinite else { return "–" }
    return abs(v) >= 1e-3 || v == 0 ? String(format: "%.4f", v) : String(format: "%.2e", v)
}
