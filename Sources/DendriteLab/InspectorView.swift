import Foundation

/// Live values of the neuron under the mouse (or the selected one): what it computes,
/// its dendrites, error signal and correlation, in words a student can follow.
public enum InspectorView {
    /// `dendriteMaps`: each dendrite's output v over the input plane for `neuron`
    /// (row-major, side `resolution`), drawn as small heatmaps.
    public static func draw(_ canvas: Canvas, in rect: Rect, picture: NetworkPicture, neuron: NeuronRef?,
                            prediction: (x: Float, y: Float, p: Float)? = nil,
                            dendriteMaps: [[Float]] = [], resolution: Int = 0, version: Int? = nil) {
        let t = canvas.theme
        guard rect.h > 40 else { return }
        var lines: [(String, Color, Bool)] = []
        var thumbnails: [(String, [Float])] = []
        // The neuron shown, when `neuron` names one of the picture's.
        let shown = neuron.flatMap { ref in
            ref.column < picture.layers.count && ref.unit < picture.layers[ref.column].neurons.count
                ? picture.layers[ref.column].neurons[ref.unit] : nil
        }
        if let ref = neuron, let n = shown {
            let layer = picture.layers[ref.column]
            Panel.draw(canvas, rect, title: "Neuron \(ref.unit + 1) · \(layer.title)")
            lines.append(("activation \(fmt3(n.activation))  (\(picture.caption))", t.text, false))
            if let b = n.bias { lines.append(("bias \(fmt3(b))", t.text, false)) }
            let fanIn = picture.layers[max(0, ref.column - 1)].neurons.count
            if ref.column > 0, layer.weights.count >= (ref.unit + 1) * fanIn {
                let w = layer.weights[(ref.unit * fanIn)..<((ref.unit + 1) * fanIn)]
                lines.append(("\(fanIn) incoming weights, " + w.prefix(4).map(fmt2).joined(separator: " ") + (fanIn > 4 ? " …" : ""), t.text, false))
            }
            let d = n.dendrites
            if let e = d.errorSignal { lines.append(("error E = \(layer.errorSignal.symbol): mean |E| \(fmt3(e)) over the training set", t.errorColor, false)) }
            if let s = d.candidateCorrelation { lines.append(("candidate: running |corr(V, E)| \(fmt3(s))", t.correlationColor, false)) }
            if d.branches.isEmpty {
                lines.append((ref.column == 0 ? "An input: the point's coordinate." :
                                "No dendrites yet. In gd or pb mode, D adds a dendrite set:", t.mutedText, false))
                if ref.column > 0 { lines.append(("one branch per neuron that sees the same inputs.", t.mutedText, false)) }
            } else if dendriteMaps.count == d.branches.count && resolution > 0 {
                lines.append(("\(d.branches.count) dendrite\(d.branches.count == 1 ? "" : "s"): outputs v over the plane (A: weight into soma)", t.text, true))
                thumbnails = zip(d.branches, dendriteMaps).map { b, m in
                    let sees = b.inputNames(fromInputColumn: ref.column == 1).map { " · \($0)" } ?? ""
                    return ((b.isCandidate ? "candidate" : "A \(fmt2(b.weight))") + sees, m)
                }
            } else {
                lines.append(("\(d.branches.count) dendrite\(d.branches.count == 1 ? "" : "s") (A = weight into soma, v = output):", t.text, true))
                for (i, b) in d.branches.enumerated() {
                    let sees = b.inputNames(fromInputColumn: ref.column == 1).map { "  sees \($0)" } ?? ""
                    lines.append(("  \(i + 1)\(b.isCandidate ? " candidate" : ""): A \(fmt3(b.weight))  v \(fmt3(b.output))" + sees, t.text, false))
                }
            }
        } else {
            Panel.draw(canvas, rect, title: "Inspector")
            if let p = prediction {
                lines.append(("input (\(fmt2(p.x)), \(fmt2(p.y))): P(class 1) = \(fmt3(p.p))", t.text, true))
                lines.append(("The network view now shows this input's activations.", t.mutedText, false))
            }
            lines.append(("Hover a neuron to see its values; click it: its output", t.mutedText, false))
            lines.append(("and error maps; click again: each of its dendrites.", t.mutedText, false))
            lines.append(("Space plays, → steps one batch, E one epoch, H help.", t.mutedText, false))
        }
        var y = rect.y + 34
        // A line wider than the panel ends in "…" rather than under the panel's edge (two
        // lines each would push the activation curve and the heatmaps out of the panel).
        for (s, c, bold) in lines where y + 16 < rect.maxY {
            canvas.text(canvas.fitted(s, width: rect.w - 24, size: t.smallSize + 1, bold: bold),
                        at: Vec2(rect.x + 12, y), size: t.smallSize + 1, c, bold: bold)
            y += 18
        }
        // The branches' nonlinearity, right of the heatmaps, when there is room for it.
        var curveWidth: Float = 0
        if let d = shown?.dendrites {
            let h = min(96, rect.maxY - y - 6)
            if let f = d.activation, !d.branches.isEmpty, h >= 60, rect.w >= 300 {
                curveWidth = min(260, rect.w * 0.55)
                ActivationCurveView.draw(canvas, in: Rect(x: rect.maxX - curveWidth - 10, y: y, w: curveWidth, h: h),
                                         activation: f, branches: d.branches)
            }
        }
        // Too little room left (the update-rule card below takes part of it): no heatmaps.
        guard !thumbnails.isEmpty, let ref = neuron, rect.maxY - y - 22 >= 24 else { return }
        // Dendrite output heatmaps (v from 0 to 1: orange to blue), one per set.
        let gap: Float = 8, avail = rect.w - 24 - (curveWidth > 0 ? curveWidth + 10 : 0)
        let side = max(24, min(72, rect.maxY - y - 22, (avail - gap * Float(thumbnails.count - 1)) / Float(thumbnails.count)))
        for (i, (label, map)) in thumbnails.enumerated() where map.count == resolution * resolution {
            let r = Rect(x: rect.x + 12 + Float(i) * (side + gap), y: y + 2, w: side, h: side)
            guard r.maxX <= rect.maxX - 8 - (curveWidth > 0 ? curveWidth + 10 : 0) else { break }
            canvas.image(slot: "inspector.dendrite.\(i)", version: version.map { $0 &* 1000 &+ ref.column * 100 + ref.unit },
                         width: resolution, height: resolution, in: r) {
                // Stretched to the map's own range: young dendrites vary by little.
                let lo = map.min() ?? 0, hi = map.max() ?? 1, span = max(hi - lo, 1e-6)
                return map.map { t.scale.color(2 * ($0 - lo) / span - 1).argb }
            }
            canvas.stroke(r, t.panelBorder)
            canvas.text(label, at: Vec2(r.center.x, r.maxY + 2), size: t.smallSize - 1, t.mutedText, align: .center)
        }
    }
}

func fmt3(_ v: Float) -> String { v.isFinite ? String(format: "%.3f", Double(v)) : "–" }
