import DendriteCore
import Foundation

/// The line along the bottom: where training is and how well it does, plus the latest
/// message (what a key just did, or why it could not).
public enum StatusBar {
    public struct Info: Equatable, Sendable {
        public var epoch = 0
        public var batch = 0
        public var batchesPerEpoch = 0
        public var phase = "N"
        public var mode = DendriteMode.none
        /// False when the neurons with dendrites see their inputs only through them.
        public var somaInputs = true
        public var dendrites = 0
        public var parameters = 0
        public var trainAccuracy: Float = .nan
        public var validationAccuracy: Float = .nan
        public var batchLoss: Float = .nan
        public var speed = ""
        public var fps: Double = 0
        public var playing = false
        /// Set once training went non-finite: where, as "epoch E, batch B in LAYER".
        public var diverged: String?
        public init() {}
    }

    public static func text(_ i: Info) -> String {
        var parts = [
            i.diverged.map { "diverged at \($0): R resets" } ?? (i.playing ? "▶ training" : "❚❚ paused"),
            "epoch \(i.epoch)",
            "batch \(i.batch)/\(i.batchesPerEpoch)",
            "phase \(i.phase)",
            "mode \(i.mode.rawValue)" + (i.somaInputs ? "" : ", soma inputs off"),
            "dendrites \(i.dendrites)",
            "\(i.parameters) parameters",
            "train acc \(pct(i.trainAccuracy))",
            "val acc \(pct(i.validationAccuracy))",
        ]
        if i.batchLoss.isFinite { parts.append("batch loss \(String(format: "%.3f", Double(i.batchLoss)))") }
        parts.append(i.speed)
        if i.fps > 0 { parts.append(String(format: "%.0f fps", i.fps)) }
        return parts.joined(separator: "  ·  ")
    }

    static func draw(_ canvas: Canvas, _ rect: Rect, info: Info, message: String?) {
        let t = canvas.theme
        canvas.fill(rect, t.panel)
        canvas.fill(Rect(x: rect.x, y: rect.y, w: rect.w, h: 1), t.panelBorder)
        var box: Rect?
        if let m = message {
            let w = canvas.measure(m, size: t.smallSize, bold: true).w
            box = Rect(x: rect.maxX - w - 22, y: rect.y + 3, w: w + 14, h: rect.h - 6)
        }
        // The message covers the end of the line: clip the line before it.
        canvas.clip(Rect(x: rect.x, y: rect.y, w: (box?.x ?? rect.maxX) - 8 - rect.x, h: rect.h))
        canvas.text(text(info), at: Vec2(rect.x + 10, rect.y + 7), size: t.smallSize, t.text)
        canvas.clip(nil)
        if let m = message, let box {
            canvas.fill(box, t.buttonActive)
            canvas.text(m, at: Vec2(box.x + 7, rect.y + 7), size: t.smallSize, t.text, bold: true)
        }
    }
}
