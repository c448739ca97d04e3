/// Antialiased thick lines drawn on the CPU into one image, for pictures made of many
/// long thin strokes (the network view's connections).
///
/// Why not triangles: a 32-32 network has over a thousand curved connections. Under a
/// software OpenGL (Mesa's llvmpipe, what Xvfb and many VMs give SDL) every thin diagonal
/// triangle is shaded in whole 4x4 blocks along its length, so those strokes cost ~18 ms
/// per frame there. Here each stroke touches only the pixels near it (a few per unit of
/// length), and the image is uploaded once per model refresh and blitted every frame.
///
/// Pixels accumulate premultiplied (src-over) in Float; `argb()` converts to the straight
/// alpha SDL's blend mode expects, so the image composites like the strokes drawn directly.
public struct LineRaster {
    public let width: Int
    public let height: Int
    /// Premultiplied r, g, b, a per pixel in 0...1, row-major.
    private var rgba: [Float]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        rgba = [Float](repeating: 0, count: self.width * self.height * 4)
    }

    /// Connected segments through `points`; `lineWidth` in pixels (at least 0.75, as
    /// `Canvas` draws them).
    public mutating func polyline(_ points: [Vec2], _ c: Color, lineWidth: Float) {
        guard points.count >= 2 else { return }
        for i in 0..<(points.count - 1) { segment(points[i], points[i + 1], c, lineWidth: lineWidth) }
    }

    /// One segment: coverage falls from 1 to 0 over the pixel at the stroke's edge.
    public mutating func segment(_ a: Vec2, _ b: Vec2, _ c: Color, lineWidth: Float) {
        // A diverged network's weights are NaN: nothing to draw for them.
        guard lineWidth.isFinite, a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite,
              c.a > 0 else { return }
        let hw = min(max(lineWidth, 0.75), 64) / 2, reach = hw + 1
        let d = b - a, len2 = d.x * d.x + d.y * d.y
        guard len2 > 1e-8, width > 0, height > 0 else { return }
        let y0 = max(0, Int((min(a.y, b.y) - reach).rounded(.down)))
        let y1 = min(height - 1, Int((max(a.y, b.y) + reach).rounded(.up)))
        guard y0 <= y1 else { return }
        let bx0 = min(a.x, b.x) - reach, bx1 = max(a.x, b.x) + reach
        // Per row, the x-interval within `reach` of the segment's line (all of the box
        // for flat segments); distances decide coverage inside it.
        let slope = abs(d.y) > 1e-6 ? d.x / d.y : 0
        let halfSpan = abs(d.y) > 1e-6 ? reach * len2.squareRoot() / abs(d.y) : .infinity
        let sr = Float(c.r) / 255, sg = Float(c.g) / 255, sb = Float(c.b) / 255, sa = Float(c.a) / 255
        let len = len2.squareRoot(), nx = d.x / len, ny = d.y / len
        rgba.withUnsafeMutableBufferPointer { px in
            for y in y0...y1 {
                let py = Float(y) + 0.5
                var lo = bx0, hi = bx1
                if halfSpan.isFinite {
                    // The line's x over this pixel row, widened by the row's height.
                    let xa = a.x + (py - 0.5 - a.y) * slope, xb = a.x + (py + 0.5 - a.y) * slope
                    lo = max(lo, min(xa, xb) - halfSpan)
                    hi = min(hi, max(xa, xb) + halfSpan)
                }
                let x0 = max(0, Int(lo.rounded(.down))), x1 = min(width - 1, Int(hi.rounded(.up)))
                guard x0 <= x1 else { continue }
                // Along the row, the distance across the line and the position along the
                // segment are linear in x: no square root except past the ends.
                let qx = Float(x0) + 0.5 - a.x, qy = py - a.y
                var across = qx * ny - qy * nx, along = (qx * nx + qy * ny) / len
                let dAcross = ny, dAlong = nx / len
                for x in x0...x1 {
                    defer { across += dAcross; along += dAlong }
                    var dist = abs(across)
                    if along < 0 || along > 1 {
                        let t: Float = along < 0 ? 0 : 1
                        let ex = Float(x) + 0.5 - (a.x + t * d.x), ey = qy - t * d.y
                        dist = (ex * ex + ey * ey).squareRoot()
                    }
                    let cover = min(1, hw + 0.5 - dist)
                    guard cover > 0 else { continue }
                    let alpha = sa * cover, keep = 1 - alpha, i = (y * width + x) * 4
                    px[i] = sr * alpha + px[i] * keep
                    px[i + 1] = sg * alpha + px[i + 1] * keep
                    px[i + 2] = sb * alpha + px[i + 2] * keep
                    px[i + 3] = alpha + px[i + 3] * keep
                }
            }
        }
    }

    /// The image as straight-alpha ARGB8888 (SDL_PIXELFORMAT_ARGB8888), row-major.
    public func argb() -> [UInt32] {
        var out = [UInt32](repeating: 0, count: width * height)
        for p in 0..<(width * height) {
            let a = rgba[4 * p + 3]
            guard a > 1e-4 else { continue }
            func byte(_ v: Float) -> UInt32 { UInt32(max(0, min(255, (v * 255).rounded()))) }
            out[p] = byte(a) << 24 | byte(rgba[4 * p] / a) << 16 | byte(rgba[4 * p + 1] / a) << 8 | byte(rgba[4 * p + 2] / a)
        }
        return out
    }
}
