import DendriteCore

/// The 2-D dataset over what the network computes, as in TensorFlow Playground: the
/// background is the probability of class 1 (blue) on a grid of inputs; training points
/// have a white rim, validation points a dark one. With a neuron selected, the background
/// is that neuron's output instead, so a student sees which region each neuron carves.
public enum DataView {
    /// The square plot area inside the panel (also used to map the mouse to inputs).
    public static func plotRect(in rect: Rect) -> Rect {
        let inner = Rect(x: rect.x + 30, y: rect.y + 32, w: rect.w - 42, h: rect.h - 70)
        let side = max(10, min(inner.w, inner.h))
        return Rect(x: inner.x + (inner.w - side) / 2, y: inner.y, w: side, h: side)
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

    public static func draw(_ canvas: Canvas, in rect: Rect, probe: Probe, train: Dataset, validation: Dataset,
                            selected: NeuronRef? = nil, hoveredInput: (Float, Float)? = nil) {
        let t = canvas.theme
        let res = probe.resolution
        var title = "Data · P(class 1)"
        var values: [Float]
        if let s = selected, s.column == 0 {
            title = "Data · input x\(s.unit == 0 ? "₁" : "₂")"
            values = probe.inputGrid(unit: s.unit)
        } else if let s = selected, s.column - 1 < probe.groups.count, s.unit < probe.groups[s.column - 1].units {
            let g = probe.groups[s.column - 1]
            let isOutput = s.column == probe.groups.count
            title = isOutput ? "Data · output \(s.unit) (\(g.activation))"
                             : "Data · neuron \(s.unit + 1) of hidden \(s.column) (\(g.activation))"
            values = probe.neuronGrid(group: s.column - 1, unit: s.unit).map { g.shade($0) }
        } else {
            values = probe.probabilityOfClass1.map { 2 * $0 - 1 }
        }
        Panel.draw(canvas, rect, title: title, subtitle: selected == nil ? "click a neuron to see its output" : "click it again to go back")
        let plot = plotRect(in: rect)
        if values.count == res * res {
            let white = Color(hex: 0xFFFFFF)
            let slot = "data.heatmap." + (selected.map { "\($0.column).\($0.unit)" } ?? "surface")
            canvas.image(slot: slot, version: probe.version, width: res, height: res, in: plot) {
                values.map { Color.mix(t.scale.color($0), white, 0.3).argb }
            }
        }
        canvas.stroke(plot, t.panelBorder)

        // Axes ticks at -1, 0, 1.
        for v: Float in [-1, 0, 1] {
            let p = point(v, -probe.extent, plot: plot, extent: probe.extent)
            canvas.text(v == 0 ? "0" : v < 0 ? "−1" : "1", at: Vec2(p.x, plot.maxY + 3), size: t.smallSize, t.mutedText, align: .center)
            let q = point(-probe.extent, v, plot: plot, extent: probe.extent)
            canvas.text(v == 0 ? "0" : v < 0 ? "−1" : "1", at: Vec2(plot.x - 5, q.y - 7), size: t.smallSize, t.mutedText, align: .right)
        }

        canvas.clip(plot)
        drawPoints(canvas, validation, plot: plot, extent: probe.extent, rim: t.text)
        drawPoints(canvas, train, plot: plot, extent: probe.extent, rim: Color(hex: 0xFFFFFF))
        if let (hx, hy) = hoveredInput {
            let p = point(hx, hy, plot: plot, extent: probe.extent)
            canvas.line(p - Vec2(8, 0), p + Vec2(8, 0), t.text, width: 1.5)
            canvas.line(p - Vec2(0, 8), p + Vec2(0, 8), t.text, width: 1.5)
        }
        canvas.clip(nil)
        let legendY = plot.maxY + 20
        canvas.fillCircle(Vec2(rect.x + 14, legendY + 8), radius: 4, t.scale.negative)
        canvas.text("class 0", at: Vec2(rect.x + 21, legendY + 1), size: t.smallSize, t.mutedText)
        canvas.fillCircle(Vec2(rect.maxX - 58, legendY + 8), radius: 4, t.scale.positive)
        canvas.text("class 1", at: Vec2(rect.maxX - 51, legendY + 1), size: t.smallSize, t.mutedText)
    }

    static func drawPoints(_ canvas: Canvas, _ data: Dataset, plot: Rect, extent: Float, rim: Color) {
        guard case .float(let f) = data.features, data.sampleSize == 2 else { return }
        let t = canvas.theme
        let r: Float = plot.w > 300 ? 3.6 : 2.6
        for label in [Int32(0), 1] {
            var centres: [Vec2] = []
            for i in 0..<data.count where data.labels[i] == label {
                centres.append(point(f[2 * i], f[2 * i + 1], plot: plot, extent: extent))
            }
            canvas.dots(centres, radius: r, fill: label == 0 ? t.scale.negative : t.scale.positive, rim: rim)
        }
    }
}
