import DendriteCore

/// A dendrite branch's nonlinearity v = f(z) as a small plot, with where the neuron's
/// branches sit on it: one line per branch at its mean output v over what the network
/// view shows. For `dcaap` the curve is a bump (the branch fires for moderate input and
/// falls silent for strong input, as the dendritic action potentials Gidon et al. 2020
/// recorded in human cortex do), which is why one such branch can answer XOR-like
/// questions a sigmoid branch cannot.
enum ActivationCurveView {
    /// Inputs z the plot spans: wide enough for every activation's bend.
    static let zRange: ClosedRange<Float> = -4...6

    /// f over `zRange` at `count` points, from the core's own `DendriteActivation.apply`.
    static func curve(_ f: DendriteActivation, count: Int = 61) -> [(z: Float, v: Float)] {
        (0..<count).map { i in
            let z = zRange.lowerBound + (zRange.upperBound - zRange.lowerBound) * Float(i) / Float(count - 1)
            return (z, f.apply(z))
        }
    }

    static func draw(_ canvas: Canvas, in rect: Rect, activation f: DendriteActivation, branches: [DendriteBranch]) {
        let t = canvas.theme
        guard rect.w >= 80, rect.h >= 44 else { return }
        canvas.text("v = \(f.rawValue)(z) · lines: branches' mean v",
                    at: Vec2(rect.x, rect.y), size: t.smallSize - 1, t.mutedText)
        let plot = Rect(x: rect.x + 26, y: rect.y + 16, w: rect.w - 34, h: rect.h - 30)
        let points = curve(f)
        let lo = min(0, points.map(\.v).min() ?? 0), hi = max(points.map(\.v).max() ?? 1, 1e-3)
        func x(_ z: Float) -> Float { plot.x + (z - zRange.lowerBound) / (zRange.upperBound - zRange.lowerBound) * plot.w }
        func y(_ v: Float) -> Float { plot.maxY - (v - lo) / (hi - lo) * plot.h }
        canvas.stroke(plot, t.panelBorder)
        canvas.line(Vec2(x(0), plot.y), Vec2(x(0), plot.maxY), t.grid)
        for b in branches where b.output.isFinite {
            let c = b.isCandidate ? t.correlationColor : t.dendriteHigh
            canvas.line(Vec2(plot.x, y(b.output)), Vec2(plot.maxX, y(b.output)), c.withAlpha(UInt8(150)), width: 1)
        }
        canvas.polyline(points.map { Vec2(x($0.z), y($0.v)) }, t.text, width: 2)
        canvas.text(String(format: "%.2g", Double(hi)), at: Vec2(plot.x - 4, plot.y - 5), size: t.smallSize - 2, t.mutedText, align: .right)
        canvas.text(String(format: "%.2g", Double(lo)), at: Vec2(plot.x - 4, plot.maxY - 8), size: t.smallSize - 2, t.mutedText, align: .right)
        canvas.text("z = \(Int(zRange.lowerBound))", at: Vec2(plot.x, plot.maxY + 2), size: t.smallSize - 2, t.mutedText)
        canvas.text("\(Int(zRange.upperBound))", at: Vec2(plot.maxX, plot.maxY + 2), size: t.smallSize - 2, t.mutedText, align: .right)
    }
}
