import Foundation
import DendriteCore
import DendriteLab

/// The parameter front (`OUT/front.png`): parameters on a log axis against test
/// accuracy, one line per family through its widths (mean over seeds), a translucent
/// ± one standard deviation band around it and a bar at each point. The first plain
/// family is grey, the others take the Okabe-Ito colours in order; the legend names each family
/// without the prefix all share (the dataset, say).
enum FrontPlot {
    /// Where the points of each family landed, in pixels: what tests probe.
    struct Layout {
        var plot: Rect
        var points: [[Vec2]]
        var colors: [Color]
    }

    static let plainColor = Color(hex: 0x4B5563)
    static let palette: [Color] = [0xE69F00, 0x0072B2, 0x009E73, 0xD55E00, 0xCC79A7, 0x56B4E9, 0x000000]
        .map { Color(hex: $0) }

    /// Line colours in family order: the first plain family of an experiment file (not of
    /// matched baselines) grey, the rest in palette order.
    static func colors(_ front: ParameterFront) -> [Color] {
        var next = 0
        let grey = front.lines.firstIndex { $0.isPlain && !ParameterFront.isMatched($0.family) }
        return front.lines.indices.map { i in
            if i == grey { return plainColor }
            defer { next += 1 }
            return palette[next % palette.count]
        }
    }

    /// Family names without the longest prefix ending in '-' or ' ' that all share.
    static func shortNames(_ names: [String]) -> [String] {
        guard names.count > 1, var prefix = names.first else { return names }
        for n in names.dropFirst() { prefix = String(prefix.commonPrefix(with: n)) }
        guard let cut = prefix.lastIndex(where: { $0 == "-" || $0 == " " }) else { return names }
        let k = prefix.distance(from: prefix.startIndex, to: cut) + 1
        let short = names.map { String($0.dropFirst(k)) }
        return short.contains(where: \.isEmpty) ? names : short
    }

    static func render(_ front: ParameterFront, title: String, to path: String) throws {
        let (off, _) = try draw(front, title: title)
        try off.savePNG(path)
    }

    /// Draws the front offscreen (960 x 600 pixels).
    static func draw(_ front: ParameterFront, title: String) throws -> (Offscreen, Layout) {
        let width = 960, height = 600
        let off = try Offscreen(width: width, height: height)
        let c = off.canvas, t = c.theme
        c.clear(t.background)
        let W = Float(width), H = Float(height)
        let legendW: Float = 250
        let plot = Rect(x: 70, y: 50, w: W - 70 - legendW - 20, h: H - 110)
        c.fill(plot, t.panel)
        c.stroke(plot, t.panelBorder)
        c.text(title, at: Vec2(plot.x, 14), size: t.titleSize, t.text, bold: true)
        let colors = colors(front)
        var layout = Layout(plot: plot, points: [], colors: colors)
        let all = front.lines.flatMap(\.points).filter { $0.parameters > 0 && $0.accuracy.isFinite }
        guard !all.isEmpty else { return (off, layout) }

        let logs = all.map { log10(Float($0.parameters)) }
        var xMin = (logs.min() ?? 1), xMax = (logs.max() ?? 2)
        let xPad = max(0.08, (xMax - xMin) * 0.06)
        xMin -= xPad; xMax += xPad
        let lows = all.map { Float($0.accuracy - $0.sd) }, highs = all.map { Float($0.accuracy + $0.sd) }
        // Accuracy lives in [0, 1]: a wide sd band is cut there rather than stretching the axis.
        var yMin = max(0, lows.min() ?? 0), yMax = min(1, highs.max() ?? 1)
        if yMax - yMin < 0.01 { yMin -= 0.005; yMax += 0.005 }
        let yPad = (yMax - yMin) * 0.06
        yMin -= yPad; yMax += yPad
        func x(_ p: Double) -> Float { plot.x + (log10(Float(p)) - xMin) / (xMax - xMin) * plot.w }
        func y(_ a: Double) -> Float { plot.maxY - (Float(a) - yMin) / (yMax - yMin) * plot.h }

        drawGrid(c, plot: plot, xRange: (xMin, xMax), yRange: (yMin, yMax), y: { y(Double($0)) })
        c.text("parameters (log scale)", at: Vec2(plot.x + plot.w / 2, plot.maxY + 26), size: t.bodySize, t.mutedText, align: .center)
        c.text("test accuracy (mean ± sd over seeds)", at: Vec2(plot.x, plot.y - 18), size: t.bodySize, t.mutedText)

        c.clip(plot)
        for (line, color) in zip(front.lines, colors) {
            let pts = line.points.filter { $0.parameters > 0 && $0.accuracy.isFinite }
            var band = color
            band.a = 40
            // The ± sd band: one translucent pixel column at a time between neighbours.
            for (a, b) in zip(pts, pts.dropFirst()) {
                let xa = x(a.parameters), xb = x(b.parameters)
                guard xb - xa >= 1 else { continue }
                var px = xa.rounded(.up)
                while px < xb {
                    let f = Double((px - xa) / (xb - xa))
                    let lo = (a.accuracy - a.sd) * (1 - f) + (b.accuracy - b.sd) * f
                    let hi = (a.accuracy + a.sd) * (1 - f) + (b.accuracy + b.sd) * f
                    c.fill(Rect(x: px, y: y(hi), w: 1, h: max(1, y(lo) - y(hi))), band)
                    px += 1
                }
            }
        }
        for (line, color) in zip(front.lines, colors) {
            let pts = line.points.filter { $0.parameters > 0 && $0.accuracy.isFinite }
            let screen = pts.map { Vec2(x($0.parameters), y($0.accuracy)) }
            c.polyline(screen, color, width: line.isPlain ? 3 : 2.5)
            for (p, s) in zip(pts, screen) where p.sd > 0 {
                let lo = y(p.accuracy - p.sd), hi = y(p.accuracy + p.sd)
                c.line(Vec2(s.x, lo), Vec2(s.x, hi), color, width: 1.5)
                c.line(Vec2(s.x - 4, lo), Vec2(s.x + 4, lo), color, width: 1.5)
                c.line(Vec2(s.x - 4, hi), Vec2(s.x + 4, hi), color, width: 1.5)
            }
            for s in screen { c.fillCircle(s, radius: 4.5, color) }
            layout.points.append(screen)
        }
        c.clip(nil)
        drawLegend(c, front: front, colors: colors, at: Vec2(plot.maxX + 20, plot.y))
        return (off, layout)
    }

    /// Decades with 1-2-5 steps on x; whole-number percent steps on y chosen for 4-10 lines.
    static func drawGrid(_ c: Canvas, plot: Rect, xRange: (Float, Float), yRange: (Float, Float), y: (Float) -> Float) {
        let t = c.theme
        let (xMin, xMax) = xRange, (yMin, yMax) = yRange
        var decade = floorf(xMin)
        while decade <= xMax {
            for m: Float in [1, 2, 5] {
                let p = decade + log10f(m)
                guard p >= xMin, p <= xMax else { continue }
                let px = plot.x + (p - xMin) / (xMax - xMin) * plot.w
                c.line(Vec2(px, plot.y), Vec2(px, plot.maxY), t.grid)
                let v = Int((powf(10, p)).rounded())
                c.text(v >= 1000 ? "\(v / 1000)k" : "\(v)", at: Vec2(px, plot.maxY + 6), size: t.smallSize, t.mutedText, align: .center)
            }
            decade += 1
        }
        let span = (yMax - yMin) * 100
        let step = [0.25, 0.5, 1, 2, 5, 10, 20].map { Float($0) }.first { span / $0 <= 10 } ?? 20
        var a = ceilf(yMin * 100 / step) * step
        while a <= yMax * 100 {
            let py = y(a / 100)
            c.line(Vec2(plot.x, py), Vec2(plot.maxX, py), t.grid)
            let label = step < 1 ? String(format: "%.2f%%", Double(a)) : String(format: "%.0f%%", Double(a))
            c.text(label, at: Vec2(plot.x - 6, py - 7), size: t.smallSize, t.mutedText, align: .right)
            a += step
        }
    }

    /// One swatch and name per family, top to bottom; long names are shortened to fit.
    static func drawLegend(_ c: Canvas, front: ParameterFront, colors: [Color], at origin: Vec2) {
        let t = c.theme
        let names = shortNames(front.lines.map(\.family))
        var yy = origin.y
        for (i, line) in front.lines.enumerated() {
            c.line(Vec2(origin.x, yy + 8), Vec2(origin.x + 22, yy + 8), colors[i], width: 3)
            c.fillCircle(Vec2(origin.x + 11, yy + 8), radius: 4, colors[i])
            let text = c.fitted(names[i], width: 205, size: t.bodySize)
            c.text(text, at: Vec2(origin.x + 30, yy), size: t.bodySize, t.text)
            let sizes = line.points.map { $0.width.map(String.init) ?? "-" }.joined(separator: ", ")
            c.text(c.fitted("widths \(sizes)", width: 205, size: t.smallSize), at: Vec2(origin.x + 30, yy + 17),
                   size: t.smallSize, t.mutedText)
            yy += 42
        }
        let runs = Set(front.lines.flatMap { $0.points.map(\.runs) }).sorted().map(String.init).joined(separator: "-")
        c.text("band and bars: ± 1 sd over seeds", at: Vec2(origin.x, yy + 6), size: t.smallSize, t.mutedText)
        c.text("(\(runs) seeds per point)", at: Vec2(origin.x, yy + 21), size: t.smallSize, t.mutedText)
    }
}
