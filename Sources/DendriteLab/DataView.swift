import DendriteCore

/// The 2-D dataset over what the network computes, as in TensorFlow Playground, with the
/// error-correlation signals of design.md 4 as pictures:
///
/// - nothing selected: the decision surface (P(class 1) for two classes, the most likely
///   class for more) with its boundary drawn where the classes tie;
/// - a neuron selected: its output map beside its error map E(x, y) (∂L/∂y, or ∂L/∂h
///   where candidates correlate with the gradient at the activation after the neuron);
/// - a dendrite or candidate selected: its output map beside its neuron's error map, with
///   the live correlation the core's candidate objective measures.
///
/// Training points have a white rim, validation points a dark one.
public enum DataView {
    /// The square plot area of the single map (also used to map the mouse to inputs).
    public static func plotRect(in rect: Rect) -> Rect {
        let inner = Rect(x: rect.x + 30, y: rect.y + 50, w: rect.w - 42, h: rect.h - 98)
        let side = max(10, min(inner.w, inner.h))
        return Rect(x: inner.x + (inner.w - side) / 2, y: inner.y, w: side, h: side)
    }

    /// The two side-by-side plots of a selected neuron or dendrite.
    static func pairRects(in rect: Rect) -> (Rect, Rect) {
        let gap: Float = 14
        let side = max(10, min((rect.w - 24 - gap) / 2, rect.h - 130))
        let y = rect.y + 52 + max(0, (rect.h - 130 - side) / 3)
        let x0 = rect.x + (rect.w - 2 * side - gap) / 2
        return (Rect(x: x0, y: y, w: side, h: side), Rect(x: x0 + side + gap, y: y, w: side, h: side))
    }

    /// Input coordinates under window point `p`, or nil outside the plot.
    public static func input(at p: Vec2, in rect: Rect, extent: Float) -> (Float, Float)? {
        let plot = plotRect(in: rect)
        guard plot.contains(p) else { return nil }
        let x = -extent + 2 * extent * (p.x - plot.x) / plot.w
        let y = extent - 2 * extent * (p.y - plot.y) / plot.h
        return (x, y)
    }

    static func point(_ x: Float, _ y: Float, plot: Rect, extent: Float) -> Vec2 {
        Vec2(plot.x + (x + extent) / (2 * extent) * plot.w, plot.y + (extent - y) / (2 * extent) * plot.h)
    }

    /// `correlation`: the selected candidate's (or dendrite's) correlation with its
    /// neuron's error, from the core, when there is one.
    public static func draw(_ canvas: Canvas, in rect: Rect, probe: Probe, train: Dataset, validation: Dataset,
                            selected: NeuronRef? = nil, hoveredInput: (Float, Float)? = nil, correlation: Float? = nil) {
        let t = canvas.theme
        let maps = self.maps(probe: probe, selected: selected, theme: t, correlation: correlation)
        let title = maps.count == 2 ? (selected?.branch == nil ? "Data · output and error signal" : "Data · dendrite and error signal")
                                    : "Data · " + maps[0].title
        Panel.draw(canvas, rect, title: title,
                   subtitle: selected == nil ? "click a neuron: its output and error" : "click again: its dendrites, then back")
        let version = probe.version
        if maps.count == 2 {
            let (a, b) = pairRects(in: rect)
            maps[0].draw(canvas, plot: a, resolution: probe.resolution, version: version, train: train, validation: validation,
                         extent: probe.extent, small: true)
            maps[1].draw(canvas, plot: b, resolution: probe.resolution, version: version, train: train, validation: validation,
                         extent: probe.extent, small: true)
        } else {
            let plot = plotRect(in: rect)
            var single = maps[0]
            single.title = ""
            single.draw(canvas, plot: plot, resolution: probe.resolution, version: version, train: train,
                        validation: validation, extent: probe.extent, small: false)
            drawTicks(canvas, plot: plot, extent: probe.extent)
            if let (hx, hy) = hoveredInput {
                let p = point(hx, hy, plot: plot, extent: probe.extent)
                canvas.line(p - Vec2(8, 0), p + Vec2(8, 0), t.text, width: 1.5)
                canvas.line(p - Vec2(0, 8), p + Vec2(0, 8), t.text, width: 1.5)
            }
        }
        drawClassLegend(canvas, rect: rect, classes: max(probe.classCount, train.classCount))
    }

    /// What to draw for a selection: one map, or two side by side.
    static func maps(probe: Probe, selected: NeuronRef?, theme t: Theme, correlation: Float?) -> [PlaneMap] {
        let tag = selected.map { "\($0.column).\($0.unit).\($0.branch ?? -1)" } ?? "surface"
        guard let s = selected, s.column - 1 < probe.groups.count else { return [surface(probe, theme: t)] }
        if s.column == 0 {
            return [PlaneMap(title: "input x\(s.unit == 0 ? "₁" : "₂")", values: probe.inputGrid(unit: s.unit),
                             colouring: .diverging(t.scale), low: "−1", high: "+1", slot: "data.\(tag)")]
        }
        let gi = s.column - 1, g = probe.groups[gi]
        guard s.unit < g.units else { return [surface(probe, theme: t)] }
        let error = errorMap(probe, group: gi, unit: s.unit, theme: t, slot: "data.\(tag).error", correlation: s.branch == nil ? nil : correlation)
        if let b = s.branch {
            let v = probe.dendriteGrid(group: gi, set: b, unit: s.unit)
            let isCandidate = b >= (probe.dendriteGrids[gi].count - (probe.hasCandidate(group: gi) ? 1 : 0))
            let lo = v.min() ?? 0, hi = v.max() ?? 1, span = max(hi - lo, 1e-6)
            // Stretched to its own range: a young dendrite varies by little.
            return [PlaneMap(title: isCandidate ? "candidate: output V(x, y)" : "dendrite \(b + 1): output v(x, y)",
                             values: v.map { 2 * ($0 - lo) / span - 1 }, colouring: .diverging(t.scale),
                             low: fmt2(lo), high: fmt2(hi), slot: "data.\(tag).v"), error]
        }
        var out: PlaneMap
        let a = probe.neuronGrid(group: gi, unit: s.unit)
        if g.isClassOutput {
            let scale = probe.classCount == 2 ? t.classScale
                : Diverging(negative: t.scale.middle, middle: t.scale.middle, positive: t.classColor(s.unit))
            let k = probe.classCount == 2 && g.activation == "logistic" ? 1 : s.unit
            let p = probe.probability(ofClass: k)
            out = PlaneMap(title: "output: \(g.unitName(s.unit))", values: p.map { 2 * $0 - 1 }, colouring: .diverging(scale),
                           low: probe.classCount == 2 ? "0" : "0", high: "1", contours: [p.map { $0 - 0.5 }], slot: "data.\(tag).y")
        } else {
            out = PlaneMap(title: "output (\(g.activation))", values: a.map(g.shade), colouring: .diverging(t.scale),
                           low: g.activation == "tanh" ? "−1" : "low", high: "+1", slot: "data.\(tag).y")
        }
        return [out, error]
    }

    /// The decision surface: P(class 1) for two classes, the likeliest class otherwise,
    /// with the boundary where the top class ties with another.
    static func surface(_ probe: Probe, theme t: Theme) -> PlaneMap {
        let k = probe.classCount
        if k == 2 {
            let p = probe.probabilityOfClass1
            return PlaneMap(title: "decision surface · P(class 1), line at 0.5", values: p.map { 2 * $0 - 1 },
                            colouring: .diverging(t.classScale), low: "P = 0", high: "P = 1",
                            contours: [p.map { $0 - 0.5 }], slot: "data.surface")
        }
        let probs = probe.classProbabilities
        let cells = probs.count / k
        let margins: [[Float]] = (0..<k).map { j in
            (0..<cells).map { r in
                var other = -Float.infinity
                for i in 0..<k where i != j { other = max(other, probs[r * k + i]) }
                return probs[r * k + j] - other
            }
        }
        return PlaneMap(title: "decision surface · likeliest of \(k) classes", values: [],
                        colouring: .classes(probabilities: probs, k: k), note: "paler = less sure",
                        contours: margins, slot: "data.surface")
    }

    /// A neuron's error E(x, y) on the signed scale, symmetric around 0.
    static func errorMap(_ probe: Probe, group: Int, unit: Int, theme t: Theme, slot: String, correlation: Float?) -> PlaneMap {
        let e = probe.errorGrid(group: group, unit: unit)
        let m = max(e.map(abs).max() ?? 0, 1e-6)
        let meanAbs = e.isEmpty ? 0 : e.reduce(0) { $0 + abs($1) } / Float(e.count)
        var note = "mean |E| \(fmt3(meanAbs))"
        if let c = correlation { note = "corr(V, E) \(fmt2(c)) · " + note }
        let symbol = (group < probe.groups.count ? probe.groups[group].errorSignal : .preactivation).symbol
        return PlaneMap(title: "error E(x, y) = " + symbol, values: e.map { $0 / m },
                        colouring: .diverging(t.scale), low: "−\(fmt2(m)) too low", high: "+\(fmt2(m)) too high",
                        note: note, slot: slot)
    }

    static func drawTicks(_ canvas: Canvas, plot: Rect, extent: Float) {
        let t = canvas.theme
        for v: Float in [-1, 0, 1] {
            let label = v == 0 ? "0" : v < 0 ? "−1" : "1"
            let q = point(-extent, v, plot: plot, extent: extent)
            canvas.text(label, at: Vec2(plot.x - 5, q.y - 7), size: t.smallSize, t.mutedText, align: .right)
        }
    }

    static func drawClassLegend(_ canvas: Canvas, rect: Rect, classes: Int) {
        let t = canvas.theme
        let y = rect.maxY - 18
        var x = rect.x + 12
        for k in 0..<max(2, min(classes, 8)) {
            canvas.fillCircle(Vec2(x + 4, y + 7), radius: 4, t.classColor(k))
            canvas.text("class \(k)", at: Vec2(x + 11, y), size: t.smallSize, t.mutedText)
            x += 62
        }
        canvas.text("white rim: train · dark rim: validation", at: Vec2(rect.maxX - 10, y), size: t.smallSize - 1,
                    t.mutedText, align: .right)
    }

    static func drawPoints(_ canvas: Canvas, _ data: Dataset, plot: Rect, extent: Float, rim: Color, small: Bool = false) {
        guard case .float(let f) = data.features, data.sampleSize == 2 else { return }
        let t = canvas.theme
        let r: Float = small ? 2.0 : plot.w > 300 ? 3.6 : 2.6
        let classes = max(2, data.classCount)
        for label in 0..<Int32(classes) {
            var centres: [Vec2] = []
            for i in 0..<data.count where data.labels[i] == label {
                centres.append(point(f[2 * i], f[2 * i + 1], plot: plot, extent: extent))
            }
            canvas.dots(centres, radius: r, fill: t.classColor(Int(label)), rim: rim, rimWidth: small ? 0.8 : 1.2)
        }
    }
}
