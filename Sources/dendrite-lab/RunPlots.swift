import Foundation
import DendriteCore
import DendriteLab

/// The PNGs of headless runs, drawn with the Lab's own canvas (offscreen, no display):
/// `curves.png` in every run folder, `params-accuracy.png` next to a comparison and
/// `front.png` when it sweeps widths.
/// A picture that cannot be drawn (no SDL_ttf font, say) is reported, never fatal: the
/// numbers in the CSV and JSON files are the results.
enum RunPlots {
    static func curves(history: [EpochMetrics], events: [TrainingEvent], folder: URL) {
        guard !history.isEmpty else { return }
        let path = folder.appendingPathComponent("curves.png").path
        do {
            try renderCurvesPNG(history: history, events: events, to: path)
        } catch {
            say("note: \(path) not drawn (\(error))")
        }
    }

    static func paramsAccuracy(_ rows: [CompareRow], to url: URL) {
        do {
            try ParamsAccuracyPlot.render(CompareSetup.group(rows), to: url.path)
        } catch {
            say("note: \(url.path) not drawn (\(error))")
        }
    }

    static func front(_ front: ParameterFront, datasets: [String], to url: URL) {
        do {
            try FrontPlot.render(front, title: "Parameter front: " + datasets.joined(separator: ", "), to: url.path)
        } catch {
            say("note: \(url.path) not drawn (\(error))")
        }
    }
}

/// Parameters (log scale) against test accuracy, one dot per setup (mean over seeds,
/// with a ± one standard deviation bar when there are several): the compression
/// picture. Plain runs grey, GD orange, PB purple; param-matched baselines as rings, so
/// each dendrite run can be read against the plain net of the same size.
enum ParamsAccuracyPlot {
    static func render(_ setups: [CompareSetup], to path: String, width: Int = 900, height: Int = 540) throws {
        let off = try Offscreen(width: width, height: height)
        let c = off.canvas, t = c.theme
        c.clear(t.background)
        let W = Float(width), H = Float(height)
        let plot = Rect(x: 80, y: 50, w: W - 120, h: H - 120)
        c.fill(plot, t.panel)
        c.stroke(plot, t.panelBorder)
        c.text("Parameters vs test accuracy", at: Vec2(plot.x, 16), size: t.titleSize, t.text, bold: true)

        let points = setups.filter { $0.parameters > 0 && $0.testAccuracy.isFinite }
        guard !points.isEmpty else { try off.savePNG(path); return }
        let params = points.map { log10(Float($0.parameters)) }
        var xMin = floorf((params.min() ?? 1) * 4) / 4, xMax = ceilf((params.max() ?? 2) * 4) / 4
        if xMax - xMin < 0.5 { xMin -= 0.25; xMax += 0.25 }
        xMax += (xMax - xMin) * 0.2   // room for the labels right of the dots
        let accs = points.map { Float($0.testAccuracy) }
        var yMin = floorf((accs.min() ?? 0) * 20) / 20, yMax = min(1, ceilf((accs.max() ?? 1) * 20) / 20)
        if yMax - yMin < 0.05 { yMin = max(0, yMax - 0.05) }
        if yMax <= yMin { yMax = yMin + 0.05 }
        let step: Float = yMax - yMin > 0.3 ? 0.1 : 0.05
        let pad = (yMax - yMin) * 0.08   // keep dots and labels off the frame
        let firstTick = yMin
        yMin -= pad
        yMax += pad
        func x(_ p: Float) -> Float { plot.x + (p - xMin) / (xMax - xMin) * plot.w }
        func y(_ a: Float) -> Float { plot.maxY - (a - yMin) / (yMax - yMin) * plot.h }

        // Grid: decades and 1-2-5 steps on x, 5-point steps on y.
        var decade = floorf(xMin)
        while decade <= xMax {
            for m: Float in [1, 2, 5] {
                let p = decade + log10f(m)
                guard p >= xMin, p <= xMax else { continue }
                c.line(Vec2(x(p), plot.y), Vec2(x(p), plot.maxY), t.grid)
                let v = Int((powf(10, p)).rounded())
                c.text(v >= 1000 ? "\(v / 1000)k" : "\(v)", at: Vec2(x(p), plot.maxY + 6), size: t.smallSize, t.mutedText, align: .center)
            }
            decade += 1
        }
        var a = firstTick
        while a <= yMax - pad + 1e-6 {
            c.line(Vec2(plot.x, y(a)), Vec2(plot.maxX, y(a)), t.grid)
            c.text(String(format: "%.0f%%", Double(a * 100)), at: Vec2(plot.x - 6, y(a) - 7), size: t.smallSize, t.mutedText, align: .right)
            a += step
        }
        c.text("parameters (log scale)", at: Vec2(plot.x + plot.w / 2, plot.maxY + 24), size: t.bodySize, t.mutedText, align: .center)
        c.text("test accuracy", at: Vec2(plot.x, plot.y - 18), size: t.bodySize, t.mutedText)

        func color(_ mode: String) -> Color {
            switch mode {
            case "gd": return t.validationLine
            case "pb": return t.accent
            default: return t.parameterLine
            }
        }
        var taken: [Rect] = []
        func overlaps(_ a: Rect, _ b: Rect) -> Bool {
            a.x < b.maxX && b.x < a.maxX && a.y < b.maxY && b.y < a.maxY
        }
        for r in points {
            let p = Vec2(x(log10(Float(r.parameters))), y(Float(r.testAccuracy)))
            if r.runs > 1 {
                // ± one standard deviation over seeds.
                let lo = y(Float(r.testAccuracy - r.testAccuracySD)), hi = y(Float(r.testAccuracy + r.testAccuracySD))
                c.line(Vec2(p.x, lo), Vec2(p.x, hi), t.mutedText, width: 1.5)
            }
            if r.matched {
                c.strokeCircle(p, radius: 7, color(r.note.hasSuffix("pb") ? "pb" : "gd"), width: 2)
            } else {
                c.fillCircle(p, radius: 6, color(r.mode))
            }
            // Labels right of their dot, nudged down past labels already placed.
            let label = r.matched ? r.label : "\(r.label) (\(r.mode))"
            let size = c.measure(label, size: t.smallSize)
            let home = Rect(x: p.x + 10, y: p.y - 7, w: size.w, h: size.h)
            var box = home
            var tries = 0
            // Try slots alternately below and above the dot, staying inside the plot.
            while tries < 16 {
                let k = Float((tries + 1) / 2) * (tries % 2 == 1 ? 1 : -1)
                box.y = home.y + k * (size.h + 1)
                if box.y >= plot.y && box.maxY <= plot.maxY && !taken.contains(where: { overlaps($0, box) }) { break }
                tries += 1
            }
            if tries == 16 { box = home }
            if box.y != home.y { c.line(Vec2(p.x + 6, p.y), Vec2(box.x, box.y + size.h / 2), t.mutedText) }
            taken.append(box)
            c.text(label, at: Vec2(box.x, box.y), size: t.smallSize, t.text)
        }
        // Legend.
        var lx = plot.x
        for (name, mode) in [("plain", "none"), ("GD dendrites", "gd"), ("PB dendrites", "pb")] {
            c.fillCircle(Vec2(lx + 6, H - 22), radius: 5, color(mode))
            lx += 14 + c.text(name, at: Vec2(lx + 14, H - 29), size: t.smallSize, t.text).w + 18
        }
        c.strokeCircle(Vec2(lx + 6, H - 22), radius: 6, t.mutedText, width: 2)
        c.text("plain, widened to match", at: Vec2(lx + 16, H - 29), size: t.smallSize, t.text)
        try off.savePNG(path)
    }
}
