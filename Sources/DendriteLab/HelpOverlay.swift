/// The keyboard reference, drawn over everything when H or ? is pressed.
public enum HelpOverlay {
    public static let lines: [(String, String)] = [
        ("Space", "play / pause training"),
        ("→", "step one batch"),
        ("Shift+→ or E", "step one epoch"),
        ("+ / −", "faster / slower"),
        ("R", "reset to the same initial weights"),
        ("N", "new seed (new weights and data)"),
        ("M", "cycle mode: none → gd → pb"),
        ("D", "add a dendrite set now"),
        ("1 … 7", "dataset: xor, circle, gaussians, spiral, moons, checkerboard, corners"),
        ("[ / ]", "less / more noise"),
        ("click", "a neuron: show its output in the data view"),
        ("hover", "the data view: see that input flow through the network"),
        ("C / I", "hide or show the curves / the inspector"),
        ("PgDn / PgUp", "lesson: next / previous step (restarts training); wheel scrolls its text"),
        ("L", "hide or show the lesson panel"),
        ("U", "show / hide the update rule of the shown neuron"),
        ("S", "save a screenshot (PNG)"),
        ("Ctrl+S / Ctrl+O", "save the network / load the newest saved (lab-*.safetensors)"),
        ("drop a file", "on the window: .safetensors loads it, .csv plays your x,y,label points"),
        ("H or ?", "show / hide this help"),
        ("Q or Esc", "quit"),
    ]

    static func draw(_ canvas: Canvas, in bounds: Rect) {
        let t = canvas.theme
        canvas.fill(bounds, Color(0, 0, 0, 110))
        // Rows shrink a little in short windows so every key stays inside the box.
        let row = max(18, min(24, (bounds.h - 140) / Float(lines.count)))
        let w: Float = 660, h = Float(lines.count) * row + 126
        let box = Rect(x: bounds.center.x - w / 2, y: bounds.center.y - h / 2, w: w, h: h)
        canvas.fill(box, t.panel)
        canvas.stroke(box, t.accent, width: 2)
        canvas.text("Dendrite Lab · keys", at: Vec2(box.x + 20, box.y + 16), size: t.titleSize + 2, t.text, bold: true)
        for (i, (key, what)) in lines.enumerated() {
            let y = box.y + 52 + Float(i) * row
            canvas.text(key, at: Vec2(box.x + 150, y), size: t.bodySize, t.accent, align: .right, bold: true)
            canvas.text(what, at: Vec2(box.x + 166, y), size: t.bodySize, t.text)
        }
        let notes = [
            "Orange: class 0 or a negative value; blue: class 1 or positive. Somata show their output over the plane.",
            "PB mode alternates N (neurons learn, dendrites frozen) and P (candidates learn to match the error).",
        ]
        for (i, n) in notes.enumerated() {
            canvas.text(n, at: Vec2(box.x + 20, box.maxY - 70 + Float(i) * 18), size: t.smallSize, t.text)
        }
        canvas.text("press H to close", at: Vec2(box.center.x, box.maxY - 24), size: t.smallSize, t.mutedText, align: .center)
    }
}
