/// The on-screen buttons along the top. Layout is pure (fixed widths per button), so the
/// app hit-tests clicks against exactly what `draw` shows.
public enum Toolbar {
    public struct Button: Equatable, Sendable {
        public var label: String
        /// nil for a read-only label between buttons.
        public var action: LabAction?
        public var rect: Rect
        public var active = false
    }

    public static func buttons(width: Int, state: LabState, config: LabConfig, theme: Theme = .standard) -> [Button] {
        // Below ~1200 pixels the labels shrink so every button stays on screen.
        let compact = width < 1200
        let speed = state.batchesPerFrame.isInfinite ? "auto speed"
            : state.batchesPerFrame >= 1 ? "\(Int(state.batchesPerFrame))/frame"
            : "1 per \(Int((1 / state.batchesPerFrame).rounded()))"
        let noise = String(format: "%.2f", Double(config.noise))
        let items: [(String, LabAction?, Float, Bool)] = compact ? [
            (state.playing ? "❚❚" : "▶", .togglePlay, 34, state.playing),
            ("Step", .stepBatch, 46, false),
            ("Epoch", .stepEpoch, 54, false),
            ("−", .slower, 24, false),
            (speed, nil, 62, false),
            ("+", .faster, 24, false),
            ("Reset", .reset, 52, false),
            ("Reseed", .reseed, 62, false),
            ("Mode: \(config.mode.rawValue)", .cycleMode, 88, config.mode != .none),
            ("Dendrite+", .addDendrites, 80, false),
            (config.dataset.rawValue, .nextDataset, 96, false),
            ("−", .noise(-5), 24, false),
            (noise, nil, 38, false),
            ("+", .noise(5), 24, false),
            ("PNG", .screenshot, 44, false),
            ("?", .toggleHelp, 28, state.showHelp),
        ] : [
            (state.playing ? "❚❚ Pause" : "▶ Play", .togglePlay, 82, state.playing),
            ("Step", .stepBatch, 52, false),
            ("Epoch", .stepEpoch, 60, false),
            ("−", .slower, 26, false),
            (state.speedDescription, nil, 118, false),
            ("+", .faster, 26, false),
            ("Reset", .reset, 58, false),
            ("Reseed", .reseed, 66, false),
            ("Mode: \(config.mode.rawValue)", .cycleMode, 96, config.mode != .none),
            ("Add dendrites", .addDendrites, 108, false),
            ("Data: \(config.datasetLabel)", .nextDataset, 136, false),
            ("−", .noise(-5), 26, false),
            ("noise \(noise)", nil, 76, false),
            ("+", .noise(5), 26, false),
            ("Screenshot", .screenshot, 90, false),
            ("?", .toggleHelp, 28, state.showHelp),
        ]
        var x: Float = theme.gap
        let y = (theme.toolbarHeight - 28) / 2
        return items.map { label, action, w, active in
            defer { x += w + (action == nil ? 2 : 5) }
            return Button(label: label, action: action, rect: Rect(x: x, y: y, w: w, h: 28), active: active)
        }
    }

    /// Index of the clickable button under `p`.
    public static func button(at p: Vec2, in buttons: [Button]) -> Int? {
        buttons.firstIndex { $0.action != nil && $0.rect.contains(p) }
    }

    static func draw(_ canvas: Canvas, _ rect: Rect, buttons: [Button], hovered: Int?) {
        let t = canvas.theme
        canvas.fill(rect, t.panel)
        canvas.fill(Rect(x: rect.x, y: rect.maxY - 1, w: rect.w, h: 1), t.panelBorder)
        for (i, b) in buttons.enumerated() {
            if b.action == nil {
                canvas.text(b.label, at: Vec2(b.rect.center.x, b.rect.y + 6), size: t.bodySize - 1, t.mutedText, align: .center)
                continue
            }
            let fill = b.active ? t.buttonActive : i == hovered ? t.buttonHover : t.button
            canvas.fill(b.rect, fill)
            canvas.stroke(b.rect, t.panelBorder)
            canvas.text(b.label, at: Vec2(b.rect.center.x, b.rect.y + 6), size: t.bodySize, t.text, align: .center)
        }
        if let last = buttons.last, rect.maxX - last.rect.maxX > 130 {
            canvas.text("Dendrite Lab", at: Vec2(rect.maxX - 12, rect.y + 12), size: t.titleSize, t.accent, align: .right, bold: true)
        }
    }
}
