import DendriteCore

/// One picture of a quantity over the input plane, as the data view draws it: a heatmap
/// with its colour legend, optionally a contour (the decision boundary) and the data.
struct PlaneMap {
    enum Colouring {
        /// Values in [-1, 1] on a diverging scale (signed quantities or two classes).
        case diverging(Diverging)
        /// Class probabilities [cells * k]: the most probable class's colour, paler where unsure.
        case classes(probabilities: [Float], k: Int)
    }

    var title: String
    /// Per grid cell (row-major), in [-1, 1] for `.diverging`; unused for `.classes`.
    var values: [Float]
    var colouring: Colouring
    /// Legend ends: what -1 and +1 mean (empty: no legend).
    var low: String = ""
    var high: String = ""
    /// A line of numbers under the legend ("mean |E| 0.42").
    var note: String = ""
    /// Cell fields whose zero crossings are drawn as lines (decision boundaries).
    var contours: [[Float]] = []
    /// Cache key of the heatmap texture.
    var slot: String

    func pixels(resolution res: Int, theme t: Theme) -> [UInt32] {
        let white = Color(hex: 0xFFFFFF)
        switch colouring {
        case .diverging(let scale):
            return values.map { Color.mix(scale.color($0), white, 0.25).argb }
        case .classes(let p, let k):
            return (0..<(res * res)).map { r in
                var best = 0
                for j in 1..<k where p[r * k + j] > p[r * k + best] { best = j }
                // Certainty from 1/k (a guess) to 1 sets how strongly the class colour shows.
                let sure = (p[r * k + best] - 1 / Float(k)) / (1 - 1 / Float(k))
                return Color.mix(white, t.classColor(best), 0.15 + 0.6 * max(0, min(1, sure))).argb
            }
        }
    }

    /// Zero-level line segments of `field` (row-major, side `res`) in plot coordinates,
    /// by marching squares between cell centres with linear interpolation.
    static func contourSegments(_ field: [Float], resolution res: Int, plot: Rect) -> [(Vec2, Vec2)] {
        guard field.count == res * res, res > 1 else { return [] }
        let cell = plot.w / Float(res)
        func p(_ row: Float, _ col: Float) -> Vec2 {
            Vec2(plot.x + (col + 0.5) * cell, plot.y + (row + 0.5) * cell)
        }
        var out: [(Vec2, Vec2)] = []
        for row in 0..<(res - 1) {
            for col in 0..<(res - 1) {
                let r = Float(row), c = Float(col)
                // Corners clockwise from the top left, and where each edge crosses zero.
                let v = [field[row * res + col], field[row * res + col + 1],
                         field[(row + 1) * res + col + 1], field[(row + 1) * res + col]]
                let corners = [p(r, c), p(r, c + 1), p(r + 1, c + 1), p(r + 1, c)]
                var hits: [Vec2] = []
                for e in 0..<4 {
                    let a = v[e], b = v[(e + 1) % 4]
                    guard (a < 0) != (b < 0) else { continue }
                    let t = a / (a - b)
                    hits.append(corners[e] + (corners[(e + 1) % 4] - corners[e]) * t)
                }
                if hits.count == 2 { out.append((hits[0], hits[1])) }
                if hits.count == 4 { out.append((hits[0], hits[1])); out.append((hits[2], hits[3])) }
            }
        }
        return out
    }

    /// Draws the map into `plot` (square) and its legend in the `legendHeight` below it.
    func draw(_ canvas: Canvas, plot: Rect, resolution res: Int, version: Int?, train: Dataset, validation: Dataset,
              extent: Float, small: Bool) {
        let t = canvas.theme
        canvas.text(canvas.fitted(title, width: plot.w + 10, size: t.smallSize + 1, bold: true),
                    at: Vec2(plot.center.x, plot.y - 17), size: t.smallSize + 1, t.text, align: .center, bold: true)
        if values.count == res * res || { if case .classes = colouring { return true }; return false }() {
            let px = pixels(resolution: res, theme: t)
            if px.count == res * res {
                canvas.image(slot: slot, version: version, width: res, height: res, in: plot) { px }
            }
        }
        canvas.stroke(plot, t.panelBorder)
        canvas.clip(plot)
        for field in contours {
            for (a, b) in PlaneMap.contourSegments(field, resolution: res, plot: plot) {
                canvas.line(a, b, t.text.withAlpha(UInt8(200)), width: small ? 1.5 : 2)
            }
        }
        DataView.drawPoints(canvas, validation, plot: plot, extent: extent, rim: t.text, small: small)
        DataView.drawPoints(canvas, train, plot: plot, extent: extent, rim: Color(hex: 0xFFFFFF), small: small)
        canvas.clip(nil)
        drawLegend(canvas, under: plot)
    }

    func drawLegend(_ canvas: Canvas, under plot: Rect) {
        let t = canvas.theme
        guard !low.isEmpty || !high.isEmpty, case .diverging(let scale) = colouring else {
            if !note.isEmpty { canvas.text(note, at: Vec2(plot.center.x, plot.maxY + 4), size: t.smallSize, t.mutedText, align: .center) }
            return
        }
        let bar = Rect(x: plot.x, y: plot.maxY + 5, w: plot.w, h: 7)
        let steps = 24
        for i in 0..<steps {
            let v = -1 + 2 * (Float(i) + 0.5) / Float(steps)
            canvas.fill(Rect(x: bar.x + bar.w * Float(i) / Float(steps), y: bar.y, w: bar.w / Float(steps) + 1, h: bar.h),
                        scale.color(v))
        }
        canvas.stroke(bar, t.panelBorder)
        canvas.text(low, at: Vec2(bar.x, bar.maxY + 2), size: t.smallSize - 1, t.mutedText)
        canvas.text(high, at: Vec2(bar.maxX, bar.maxY + 2), size: t.smallSize - 1, t.mutedText, align: .right)
        if !note.isEmpty {
            canvas.text(note, at: Vec2(bar.center.x, bar.maxY + 16), size: t.smallSize, t.text, align: .center, bold: true)
        }
    }
}
