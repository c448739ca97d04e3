import Foundation
import DendriteCore

/// Training curves over epochs: loss and accuracy (train and validation), the
/// parameter count and, once a PB dendrite phase has run, the candidates' correlation
/// with their neurons' error per P epoch (measured on the fixed subset the stop rule
/// judges, and the mean over the epoch's batches), so a phase that was still rising when
/// it was cut shows as a line still climbing at the end of its band. Dendrite-phase (P)
/// epochs are shaded and each dendrite addition is a vertical marker, so a student sees
/// what each switch did to the curves.
///
/// Independent of the app: it only needs `EpochMetrics` and `TrainingEvent`s, which is
/// what the headless CLI has, so `renderCurvesPNG` writes the same picture to a file.
public enum CurvesView {
    /// `modelParameters`: the model's size now, which differs from the last epoch's once
    /// the switching rule has restored an earlier, smaller best model; the header says so.
    public static func draw(_ canvas: Canvas, in rect: Rect, history: [EpochMetrics], events: [TrainingEvent] = [],
                            modelParameters: Int? = nil) {
        let t = canvas.theme
        let last = history.last
        let subtitle = last.map { "epoch \($0.epoch) · val acc \(pct($0.validationAccuracy)) · \($0.parameters) parameters" }
            ?? "no epoch finished yet"
        let body = Panel.draw(canvas, rect, title: "Curves", subtitle: subtitle)
        let markers = dendriteEpochs(history: history, events: events)
        let shaded = history.filter { $0.phase == .dendrite }.map(\.epoch)
        let gap: Float = 10
        let inner = Rect(x: body.x + gap, y: body.y + 2, w: body.w - 2 * gap, h: body.h - gap)
        // Side by side when wide; in a narrow column (the lesson layout) loss and accuracy
        // share the top row and the parameter count runs along the bottom.
        let narrow = inner.w < 560 && inner.h > 200
        let correlation = correlationSeries(epochs: history.count, events: events)
        let lossRect, accRect, parRect: Rect
        var corrRect: Rect?
        if narrow {
            let half = (inner.w - gap) / 2, top = inner.h * 0.64
            lossRect = Rect(x: inner.x, y: inner.y, w: half, h: top)
            accRect = Rect(x: lossRect.maxX + gap, y: inner.y, w: half, h: top)
            let bottom = Rect(x: inner.x, y: lossRect.maxY + gap, w: inner.w, h: inner.h - top - gap)
            if correlation == nil {
                parRect = bottom
            } else {
                parRect = Rect(x: bottom.x, y: bottom.y, w: half, h: bottom.h)
                corrRect = Rect(x: parRect.maxX + gap, y: bottom.y, w: half, h: bottom.h)
            }
        } else {
            // Units: loss 2, accuracy 2, (correlation 2,) parameters 1.
            let units: Float = correlation == nil ? 5 : 7, gaps: Float = correlation == nil ? 2 : 3
            let unit = (inner.w - gaps * gap) / units
            lossRect = Rect(x: inner.x, y: inner.y, w: unit * 2, h: inner.h)
            accRect = Rect(x: lossRect.maxX + gap, y: inner.y, w: unit * 2, h: inner.h)
            var next = accRect.maxX + gap
            if correlation != nil {
                corrRect = Rect(x: next, y: inner.y, w: unit * 2, h: inner.h)
                next += unit * 2 + gap
            }
            parRect = Rect(x: next, y: inner.y, w: unit, h: inner.h)
        }
        let validation = narrow ? "val" : "validation"

        let maxLoss = max(history.map { max($0.trainLoss, $0.validationLoss) }.filter(\.isFinite).max() ?? 1, 1e-3)
        Chart(title: "loss", rect: lossRect, epochs: history.count, yMin: 0, yMax: maxLoss,
              shaded: shaded, markers: markers)
            .draw(canvas, series: [(history.map(\.trainLoss), t.trainLine, "train"),
                                   (history.map(\.validationLoss), t.validationLine, validation)])
        let minAcc = min(history.map { min($0.trainAccuracy, $0.validationAccuracy) }.filter(\.isFinite).min() ?? 0.5, 0.5)
        Chart(title: "accuracy", rect: accRect, epochs: history.count, yMin: minAcc, yMax: 1,
              shaded: shaded, markers: markers, percent: true)
            .draw(canvas, series: [(history.map(\.trainAccuracy), t.trainLine, "train"),
                                   (history.map(\.validationAccuracy), t.validationLine, validation)])
        let params = history.map { Float($0.parameters) }
        var kept = ""
        if let now = modelParameters, let last, now != last.parameters {
            kept = parRect.w < 260 ? " · kept \(now)" : " · best model kept: \(now)"
        }
        Chart(title: "parameters" + kept, rect: parRect, epochs: history.count, yMin: 0, yMax: niceCeiling(max(params.max() ?? 1, 1) * 1.1),
              shaded: shaded, markers: markers, integer: true)
            .draw(canvas, series: [(params, t.parameterLine, "")])
        if let correlation, let corrRect {
            let values = (correlation.measured + correlation.batch).filter(\.isFinite)
            let top = niceCeiling(max(values.max() ?? 0.1, 0.01) * 1.1)
            let bottom = min(values.min() ?? 0, 0)
            Chart(title: corrRect.w < 230 ? "corr" : "corr(V, E)", rect: corrRect, epochs: history.count,
                  yMin: bottom < 0 ? -niceCeiling(-bottom) : 0, yMax: top, shaded: shaded, markers: markers)
                // The measured line on top: it is what the stop rule judges, and where the subset
                // is the training set (the toy lessons) the two lines nearly coincide.
                .draw(canvas, series: [(correlation.batch, t.parameterLine, "batch"),
                                       (correlation.measured, t.correlationColor, "measured")])
        }
    }

    /// Per epoch (index epoch - 1) the candidates' correlation that epoch's
    /// `candidateCorrelation` event reported, NaN in epochs without one (neuron phases);
    /// nil when no dendrite phase has reported any. A replayed epoch (after --resume)
    /// counts with its last report.
    static func correlationSeries(epochs: Int, events: [TrainingEvent]) -> (measured: [Float], batch: [Float])? {
        var measured = [Float](repeating: .nan, count: epochs), batch = measured
        var any = false
        for e in events {
            guard case .candidateCorrelation(let epoch, _, let heldOut, let b) = e, epoch >= 1, epoch <= epochs else { continue }
            measured[epoch - 1] = heldOut
            batch[epoch - 1] = b
            any = true
        }
        return any ? (measured, batch) : nil
    }

    /// Epochs at which a dendrite set was added: from events, or where the history's
    /// dendrite count grows.
    static func dendriteEpochs(history: [EpochMetrics], events: [TrainingEvent]) -> [Int] {
        var epochs = Set<Int>()
        for e in events { if case .dendriteAdded(let epoch, _, _, _) = e { epochs.insert(epoch) } }
        for (a, b) in zip(history, history.dropFirst()) where b.dendrites > a.dendrites { epochs.insert(a.epoch) }
        return epochs.sorted()
    }
}

/// Renders the curves alone to a PNG (the CLI's `curves.png` for headless runs).
public func renderCurvesPNG(history: [EpochMetrics], events: [TrainingEvent] = [], to path: String,
                            width: Int = 960, height: Int = 320) throws {
    let off = try Offscreen(width: width, height: height)
    off.canvas.clear(off.canvas.theme.background)
    CurvesView.draw(off.canvas, in: Rect(x: 0, y: 0, w: Float(width), h: Float(height)), history: history, events: events)
    try off.savePNG(path)
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is >= v (axis tops).
func niceCeiling(_ v: Float) -> Float {
    guard v > 0, v.isFinite else { return 1 }
    let p = powf(10, floorf(log10f(v)))
    for m: Float in [1, 2, 2.5, 5, 10] where m * p >= v { return m * p }
    return 10 * p
}

func pct(_ v: Float) -> String { v.isFinite ? String(format: "%.1f%%", Double(v * 100)) : "–" }

/// One small line chart with epochs on x.
struct Chart {
    var title: String
    var rect: Rect
    var epochs: Int
    var yMin: Float
    var yMax: Float
    var shaded: [Int]
    var markers: [Int]
    var percent = false
    var integer = false

    var plot: Rect { Rect(x: rect.x + 38, y: rect.y + 18, w: max(10, rect.w - 44), h: max(10, rect.h - 36)) }
    var xMax: Int { max(epochs, 5) }

    func x(_ epoch: Float) -> Float { plot.x + epoch / Float(xMax) * plot.w }
    func y(_ v: Float) -> Float {
        let f = (v - yMin) / max(yMax - yMin, 1e-9)
        return plot.maxY - max(0, min(1, f)) * plot.h
    }

    func label(_ v: Float) -> String {
        if percent { return "\(Int((v * 100).rounded()))%" }
        if integer { return v >= 10_000 ? String(format: "%.0fk", Double(v / 1000)) : "\(Int(v.rounded()))" }
        return String(format: v < 10 ? "%.2f" : "%.0f", Double(v))
    }

    func draw(_ canvas: Canvas, series: [(values: [Float], color: Color, name: String)]) {
        let t = canvas.theme
        canvas.text(title, at: Vec2(rect.x + 2, rect.y), size: t.smallSize, t.text, bold: true)
        var legendX = rect.x + 12 + canvas.measure(title, size: t.smallSize, bold: true).w
        for s in series where !s.name.isEmpty {
            canvas.fill(Rect(x: legendX, y: rect.y + 6, w: 12, h: 3), s.color)
            legendX = canvas.text(s.name, at: Vec2(legendX + 15, rect.y), size: t.smallSize, t.mutedText).maxX + 8
        }
        // Consecutive P epochs as one span (separate rectangles leave hairline gaps).
        var i = 0
        let sorted = shaded.sorted()
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            let x0 = x(Float(sorted[i]) - 1).rounded(), x1 = x(Float(sorted[j])).rounded()
            canvas.fill(Rect(x: x0, y: plot.y, w: max(1, x1 - x0), h: plot.h), t.dendritePhaseShade)
            i = j + 1
        }
        for k in 0...2 {
            let v = yMin + (yMax - yMin) * Float(k) / 2
            canvas.fill(Rect(x: plot.x, y: y(v), w: plot.w, h: 1), t.grid)
            canvas.text(label(v), at: Vec2(plot.x - 4, y(v) - 7), size: t.smallSize - 1, t.mutedText, align: .right)
        }
        canvas.fill(Rect(x: plot.x, y: plot.maxY, w: plot.w, h: 1), t.panelBorder)
        canvas.text("0", at: Vec2(plot.x, plot.maxY + 2), size: t.smallSize - 1, t.mutedText, align: .center)
        canvas.text("\(xMax)", at: Vec2(plot.maxX, plot.maxY + 2), size: t.smallSize - 1, t.mutedText, align: .right)
        // The axis name only where it clears the end labels (a narrow chart has no room).
        if plot.w >= 130 {
            canvas.text("epoch", at: Vec2(plot.center.x, plot.maxY + 2), size: t.smallSize - 1, t.mutedText, align: .center)
        }
        for e in markers {
            let mx = x(Float(e))
            canvas.line(Vec2(mx, plot.y), Vec2(mx, plot.maxY), t.accent, width: 1.5)
            canvas.fillCircle(Vec2(mx, plot.y + 3), radius: 3, t.accent)
        }
        // A run of finite values is one line; a gap (NaN: no value that epoch) is not bridged.
        for s in series {
            var run: [Vec2] = []
            func flush() {
                if run.count == 1 { canvas.fillCircle(run[0], radius: 2.5, s.color) }
                canvas.polyline(run, s.color, width: 2)
                run.removeAll(keepingCapacity: true)
            }
            for (i, v) in s.values.enumerated() {
                if v.isFinite { run.append(Vec2(x(Float(i + 1)), y(v))) } else if !run.isEmpty { flush() }
            }
            if !run.isEmpty { flush() }
        }
    }
}
