#if canImport(Glibc)
import Glibc
#endif
import DendriteCore

/// The network as a student sees it: columns of somata coloured by activation, curved
/// connections whose thickness and colour show each weight, and on every neuron a small
/// dendritic tree (one branch per dendrite set; thickness |A|, colour = output), with
/// gauges for the neuron's error signal and its candidate's correlation.
///
/// In PB mode the phase is visible: during the dendrite phase (P) neurons are dimmed and
/// candidates pulse; during the neuron phase (N) the frozen dendrites are dimmed and
/// marked "no gradient".
public enum NetworkView {
    public static func draw(_ canvas: Canvas, in rect: Rect, picture: NetworkPicture,
                            selected: NeuronRef? = nil, hovered: NeuronRef? = nil) {
        let t = canvas.theme
        let modeText = picture.mode == .none ? "mode none" : "mode \(picture.mode.rawValue) · phase \(picture.phase.rawValue)"
        Panel.draw(canvas, rect, title: "Network", subtitle: "colours: \(picture.caption) · \(modeText)")
        let geo = NetworkGeometry(shape: picture.shape, in: rect)
        let r = geo.radius
        let pb = picture.mode == .pb
        let neuronAlpha = neuronAlpha(picture)
        let hasDendrites = picture.layers.contains { $0.neurons.contains { !$0.dendrites.branches.isEmpty } }
        let frozenDendrites = pb && picture.phase == .neuron && hasDendrites

        canvas.clip(rect)
        defer { canvas.clip(nil) }

        // Column titles.
        for (c, layer) in picture.layers.enumerated() {
            guard let x = geo.centres[c].first?.x else { continue }
            canvas.text(layer.title, at: Vec2(x, rect.y + 30), size: t.smallSize, t.mutedText, align: .center)
        }

        drawConnections(canvas, in: rect, picture: picture, alpha: neuronAlpha)

        // Dendrite trees.
        for (c, layer) in picture.layers.enumerated() {
            let maxA = max(layer.neurons.flatMap { $0.dendrites.branches.map { abs($0.weight) } }.max() ?? 0, 1e-6)
            for (u, n) in layer.neurons.enumerated() where !n.dendrites.branches.isEmpty {
                drawTree(canvas, geo: geo, column: c, unit: u, neuron: n, maxA: maxA,
                         dim: frozenDendrites, candidatePhase: pb && picture.phase == .dendrite)
                if let s = selected, s.column == c, s.unit == u, let b = s.branch, b < n.dendrites.branches.count {
                    let tip = geo.dendriteTree(column: c, unit: u, count: n.dendrites.branches.count).branches[b].tip
                    canvas.strokeCircle(tip, radius: 7, t.accent, width: 2.5)
                }
            }
        }

        // Somata and gauges.
        for (c, layer) in picture.layers.enumerated() {
            let maxE = max(layer.neurons.compactMap { $0.dendrites.errorSignal.map(abs) }.max() ?? 0, 1e-9)
            let maxS = max(layer.neurons.compactMap { $0.dendrites.candidateCorrelation.map(abs) }.max() ?? 0, 0.05)
            for (u, n) in layer.neurons.enumerated() {
                let p = geo.centres[c][u]
                let ref = NeuronRef(column: c, unit: u)
                if ref == selected?.neuron {
                    canvas.strokeCircle(p, radius: r + 5, t.accent, width: 3)
                } else if ref == hovered {
                    canvas.strokeCircle(p, radius: r + 4, t.mutedText.withAlpha(UInt8(160)), width: 2)
                }
                if !picture.showsOneInput && n.heatmap.count == picture.heatmapResolution * picture.heatmapResolution
                    && picture.heatmapResolution > 0 {
                    let res = picture.heatmapResolution, half = res / 2
                    let version = picture.heatmapVersion.map { $0 * 2 + (neuronAlpha < 1 ? 1 : 0) }
                    let scale = somaScale(theme: t, column: c, unit: u, picture: picture)
                    canvas.image(slot: "soma.\(c).\(u)", version: version, width: half, height: half,
                                 in: Rect(x: p.x - r, y: p.y - r, w: 2 * r, h: 2 * r)) {
                        discPixels(n.heatmap, resolution: res, scale: scale, alpha: neuronAlpha)
                    }
                } else {
                    canvas.fillCircle(p, radius: r, t.scale.color(n.shade).withAlpha(0.25 + 0.75 * neuronAlpha))
                }
                canvas.strokeCircle(p, radius: r, t.text.withAlpha(0.3 + 0.5 * neuronAlpha), width: 1.5)
                drawGauges(canvas, at: p, radius: r, dendrites: n.dendrites, maxE: maxE, maxS: maxS)
            }
        }

        drawLabels(canvas, geo: geo, picture: picture, right: rect.maxX)
        drawLegend(canvas, rect: rect, hasDendrites: hasDendrites, frozen: frozenDendrites,
                   gauges: picture.layers.contains { $0.neurons.contains { $0.dendrites.errorSignal != nil } })
    }

    /// In a PB dendrite phase the neurons are frozen: drawn faded.
    static func neuronAlpha(_ picture: NetworkPicture) -> Float {
        picture.mode == .pb && picture.phase == .dendrite ? 0.35 : 1
    }

    /// Every weight as a curve from neuron to neuron: the picture's `connections` image
    /// when it was made for this rect (off the render thread), else rasterised here; the
    /// texture is re-uploaded only when the image's key changes.
    static func drawConnections(_ canvas: Canvas, in rect: Rect, picture: NetworkPicture, alpha neuronAlpha: Float) {
        let key = ConnectionImage.key(picture: picture, rect: rect, alpha: neuronAlpha)
        let frame = ConnectionImage.frame(for: rect)
        if picture.connectionsMayLag, picture.connections?.key != key, canvas.redraw(slot: "connections", in: frame) { return }
        canvas.image(slot: "connections", version: picture.heatmapVersion == nil ? nil : key,
                     width: Int(frame.w), height: Int(frame.h), in: frame, smooth: false) {
            if let c = picture.connections, c.key == key { return c.pixels }
            return ConnectionImage(picture: picture, rect: rect, theme: canvas.theme).pixels
        }
    }

    /// Output somata show class probabilities in class colours (a logistic unit from
    /// class 0's colour to class 1's; softmax unit k from white to class k's); every
    /// other neuron its signed activation.
    static func somaScale(theme t: Theme, column c: Int, unit u: Int, picture: NetworkPicture) -> Diverging {
        guard c > 0, c == picture.layers.count - 1 else { return t.scale }
        if picture.layers[c].neurons.count == 1 { return t.classScale }
        return Diverging(negative: t.scale.middle, middle: t.scale.middle, positive: t.classColor(u))
    }

    /// A heatmap masked to a disc (transparent corners), so a soma shows its own output
    /// over the input plane, as TensorFlow Playground's neuron thumbnails do.
    /// Uses every second grid cell: a soma is ~30 pixels wide.
    static func discPixels(_ shades: [Float], resolution res: Int, scale: Diverging, alpha: Float) -> [UInt32] {
        let n = res / 2
        var out = [UInt32](repeating: 0, count: n * n)
        let c = Float(n) / 2, rr = c - 0.5
        for row in 0..<n {
            for col in 0..<n {
                let dx = Float(col) + 0.5 - c, dy = Float(row) + 0.5 - c
                let edge = max(0, min(1, rr - (dx * dx + dy * dy).squareRoot() + 0.5))
                guard edge > 0 else { continue }
                out[row * n + col] = scale.color(shades[(2 * row) * res + 2 * col]).withAlpha(edge * (0.25 + 0.75 * alpha)).argb
            }
        }
        return out
    }

    static func drawTree(_ canvas: Canvas, geo: NetworkGeometry, column: Int, unit: Int, neuron: NeuronPicture,
                         maxA: Float, dim: Bool, candidatePhase: Bool) {
        let t = canvas.theme
        let branches = neuron.dendrites.branches
        let tree = geo.dendriteTree(column: column, unit: unit, count: branches.count)
        let alpha: Float = dim ? 0.4 : 1
        let trunkWidth = 2.5 + 3 * (branches.map { abs($0.weight) }.max() ?? 0) / maxA
        canvas.polyline(tree.trunk, t.dendriteLow.withAlpha(alpha), width: trunkWidth)
        for (b, shape) in zip(branches, tree.branches) {
            let width = 1.5 + 4.5 * abs(b.weight) / maxA
            let colour = Color.mix(t.dendriteLow, t.dendriteHigh, b.output).withAlpha(alpha)
            let pts = branchCurve(shape)
            if b.isCandidate && candidatePhase {
                // A candidate glows while it learns (its pulse is drawn live: `drawPulses`).
                canvas.polyline(pts, t.accent.withAlpha(0.4), width: width + 6)
                canvas.polyline(pts, colour, width: max(width, 2))
            } else {
                canvas.polyline(pts, colour, width: width)
            }
            canvas.fillCircle(shape.tip, radius: max(1.5, width * 0.6), colour)
            drawSampledInputs(canvas, geo: geo, column: column, branch: b, tip: shape.tip, colour: colour)
        }
        if dim {
            // "No gradient": a small crossed circle on the trunk.
            let m = tree.trunk[0] + (tree.trunk[1] - tree.trunk[0]) * 0.45
            canvas.fillCircle(m, radius: 4.5, t.panel)
            canvas.strokeCircle(m, radius: 4.5, t.mutedText, width: 1.2)
            canvas.line(m + Vec2(-3, 3), m + Vec2(3, -3), t.mutedText, width: 1.2)
        }
    }

    /// A branch as the curve drawn from its trunk to its tip.
    static func branchCurve(_ shape: (from: Vec2, control: Vec2, tip: Vec2)) -> [Vec2] {
        Canvas.bezierPoints(shape.from, shape.control, shape.control, shape.tip, segments: 10)
    }

    /// In a PB dendrite phase a pulse runs along every candidate from its tip into the
    /// soma, once every 1.2 s: the candidates are what learns now. Drawn every frame over
    /// the cached picture (`SceneCache`), which then need not redraw to animate.
    static func drawPulses(_ canvas: Canvas, in rect: Rect, picture: NetworkPicture) {
        guard picture.mode == .pb, picture.phase == .dendrite else { return }
        let geo = NetworkGeometry(shape: picture.shape, in: rect)
        let phase = Float(canvas.time.truncatingRemainder(dividingBy: 1.2) / 1.2)
        canvas.clip(rect)
        defer { canvas.clip(nil) }
        for (c, layer) in picture.layers.enumerated() {
            for (u, n) in layer.neurons.enumerated() {
                let branches = n.dendrites.branches
                guard branches.contains(where: \.isCandidate) else { continue }
                let tree = geo.dendriteTree(column: c, unit: u, count: branches.count)
                for (b, shape) in zip(branches, tree.branches) where b.isCandidate {
                    let pts = branchCurve(shape)
                    let k = Int((1 - phase) * Float(pts.count - 1))
                    canvas.fillCircle(pts[max(0, min(pts.count - 1, k))], radius: 3, canvas.theme.accent)
                }
            }
        }
    }

    /// A branch that samples some of its neuron's inputs (`dendrites.inputs: local K`...)
    /// is tied to each of them by a thin dotted line from its tip, ending in a small ring
    /// on the input: which inputs this branch listens to. Branches that see every input
    /// get no lines (the neuron's own connections already show them).
    static func drawSampledInputs(_ canvas: Canvas, geo: NetworkGeometry, column: Int, branch: DendriteBranch,
                                  tip: Vec2, colour: Color) {
        guard let inputs = branch.inputs, column > 0, column - 1 < geo.centres.count else { return }
        let sources = geo.centres[column - 1], r = geo.radius
        for i in inputs where sources.indices.contains(i) {
            let target = sources[i], d = target - tip
            let length = (d.x * d.x + d.y * d.y).squareRoot()
            guard length > r else { continue }
            let end = tip + d * ((length - r - 3) / length)
            let dashes = max(2, Int(length / 9))
            for k in stride(from: 0, to: dashes, by: 2) {
                let a = tip + (end - tip) * (Float(k) / Float(dashes)), b = tip + (end - tip) * (Float(k + 1) / Float(dashes))
                canvas.line(a, b, colour.withAlpha(0.75), width: 1.5)
            }
            canvas.strokeCircle(target, radius: r + 3, colour.withAlpha(0.8), width: 1.5)
        }
    }

    static func drawGauges(_ canvas: Canvas, at p: Vec2, radius r: Float, dendrites d: NeuronDendrites,
                           maxE: Float, maxS: Float) {
        let t = canvas.theme
        let h = 2 * r, x0 = p.x + r + 4
        if let e = d.errorSignal {
            // Bar from the bottom: how large the error E still is (mean |E|).
            let frame = Rect(x: x0, y: p.y - r, w: 4, h: h)
            canvas.fill(frame, t.grid)
            let v = min(1, abs(e) / maxE) * h
            canvas.fill(Rect(x: x0, y: p.y + r - v, w: 4, h: v), t.errorColor)
        }
        if let s = d.candidateCorrelation {
            let frame = Rect(x: x0 + 6, y: p.y - r, w: 4, h: h)
            canvas.fill(frame, t.grid)
            let v = min(1, abs(s) / maxS) * h
            canvas.fill(Rect(x: x0 + 6, y: p.y + r - v, w: 4, h: v), t.correlationColor)
        }
    }

    static func drawLabels(_ canvas: Canvas, geo: NetworkGeometry, picture: NetworkPicture, right: Float) {
        let t = canvas.theme, r = geo.radius
        if let inputs = geo.centres.first {
            for (u, p) in inputs.enumerated() {
                let name = "x" + subscriptDigits(u + 1)
                canvas.text(name, at: Vec2(p.x - r - 6, p.y - 8), size: t.bodySize, t.text, align: .right)
            }
        }
        if geo.centres.count > 1, let outputs = geo.centres.last, let layer = picture.layers.last {
            let logistic = outputs.count == 1
            for (u, p) in outputs.enumerated() {
                let k = logistic ? 1 : u
                let value = picture.showsOneInput && u < layer.neurons.count
                    ? "= \(Int((layer.neurons[u].activation * 100).rounded()))%" : ""
                let label = "P(class \(k))", at = Vec2(p.x + r + 16, p.y - 8), colour = t.classColor(k)
                let oneLine = value.isEmpty ? label : label + " " + value
                // In a narrow panel (lesson open) the value goes under the label, not past the edge.
                if at.x + canvas.measure(oneLine, size: t.smallSize, bold: true).w <= right - 4 {
                    canvas.text(oneLine, at: at, size: t.smallSize, colour, bold: true)
                } else {
                    canvas.text(label, at: Vec2(at.x, at.y - 7), size: t.smallSize, colour, bold: true)
                    canvas.text(value, at: Vec2(at.x, at.y + 9), size: t.smallSize, colour, bold: true)
                }
            }
        }
    }

    static func drawLegend(_ canvas: Canvas, rect: Rect, hasDendrites: Bool, frozen: Bool, gauges: Bool) {
        let t = canvas.theme
        var parts = ["weight: magenta −, green +, thicker = larger"]
        if hasDendrites { parts.append("dendrite: thickness |A|, green = high output") }
        if gauges { parts.append("bars: magenta mean |error|, green candidate correlation") }
        if frozen { parts.append("⊘ dendrites frozen (no gradient in N phase)") }
        // As many parts per line as fit (narrow views, as in the lesson layout, need more lines).
        var lines: [String] = []
        for part in parts {
            if let last = lines.last, canvas.measure(last + "  ·  " + part, size: t.smallSize).w <= rect.w - 20 {
                lines[lines.count - 1] = last + "  ·  " + part
            } else {
                lines.append(part)
            }
        }
        for (i, line) in lines.reversed().enumerated() {
            canvas.text(line, at: Vec2(rect.x + 10, rect.maxY - 20 - Float(i) * 15), size: t.smallSize, t.mutedText)
        }
    }
}
