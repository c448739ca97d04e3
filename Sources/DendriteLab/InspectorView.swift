import Foundation

/// Live values of the neuron under the mouse (or the selected one): what it computes,
/// its dendrites, error signal and correlation, in words a student can follow.
public enum InspectorView {
    public static func draw(_ canvas: Canvas, in rect: Rect, picture: NetworkPicture, neuron: NeuronRef?,
                            prediction: (x: Float, y: Float, p: Float)? = nil) {
        let t = canvas.theme
        guard rect.h > 40 else { return }
        var lines: [(String, Color, Bool)] = []
        if let ref = neuron, ref.column < picture.layers.count, ref.unit < picture.layers[ref.column].neurons.count {
            let layer = picture.layers[ref.column], n = layer.neurons[ref.unit]
            Panel.draw(canvas, rect, title: "Neuron \(ref.unit + 1) · \(layer.title)")
            lines.append(("activation \(fmt3(n.activation))  (\(picture.caption))", t.text, false))
            if let b = n.bias { lines.append(("bias \(fmt3(b))", t.text, false)) }
            let fanIn = picture.layers[max(0, ref.column - 1)].neurons.count
            if ref.column > 0, layer.weights.count >= (ref.unit + 1) * fanIn {
                let w = layer.weights[(ref.unit * fanIn)..<((ref.unit + 1) * fanIn)]
                lines.append(("\(fanIn) incoming weights, " + w.prefix(4).map(fmt2).joined(separator: " ") + (fanIn > 4 ? " …" : ""), t.text, false))
            }
            let d = n.dendrites
            if let e = d.errorSignal { lines.append(("error signal E = dL/dy (running mean) \(fmt3(e))", t.errorColor, false)) }
            if let s = d.candidateCorrelation { lines.append(("candidate correlation with E \(fmt3(s))", t.correlationColor, false)) }
            if d.branches.isEmpty {
                lines.append((ref.column == 0 ? "An input: the point's coordinate." :
                                "No dendrites yet. In gd or pb mode, D adds a dendrite set:", t.mutedText, false))
                if ref.column > 0 { lines.append(("one branch per neuron that sees the same inputs.", t.mutedText, false)) }
            } else {
                lines.append(("\(d.branches.count) dendrite\(d.branches.count == 1 ? "" : "s") (A = weight into soma, v = output):", t.text, true))
                for (i, b) in d.branches.enumerated() {
                    lines.append(("  \(i + 1)\(b.isCandidate ? " candidate" : ""): A \(fmt3(b.weight))  v \(fmt3(b.output))", t.text, false))
                }
            }
        } else {
            Panel.draw(canvas, rect, title: "Inspector")
            if let p = prediction {
                lines.append(("input (\(fmt2(p.x)), \(fmt2(p.y))): P(class 1) = \(fmt3(p.p))", t.text, true))
                lines.append(("The network view now shows this input's activations.", t.mutedText, false))
            }
            lines.append(("Hover a neuron to see its values; click it to see", t.mutedText, false))
            lines.append(("its output over the whole plane in the data view.", t.mutedText, false))
            lines.append(("Space plays, → steps one batch, E one epoch, H help.", t.mutedText, false))
        }
        var y = rect.y + 34
        for (s, c, bold) in lines where y + 16 < rect.maxY {
            canvas.text(s, at: Vec2(rect.x + 12, y), size: t.smallSize + 1, c, bold: bold)
            y += 18
        }
    }
}

func fmt3(_ v: Float) -> String { v.isFinite ? String(format: "%.3f", Double(v)) : "–" }
