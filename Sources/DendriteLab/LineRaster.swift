/// Antialiased thick lines drawn on the CPU into one image, for pictures made of many
/// long thin strokes (the network view's connections).
///
/// Why not triangles: a 32-32 network has over a thousand curved connections. Under a
/// software OpenGL (Mesa's llvmpipe, what Xvfb and many VMs give SDL) every thin diagonal
/// triangle is shaded in whole 4x4 blocks along its length, so those strokes cost ~18 ms
/// per frame there. Here each stroke touches only the pixels near it (a few per unit of
/// length), and the image is uploaded once per model refresh and blitted every frame.
///
/// Pixels accumulate premultiplied (src-over) in Float, one plane per channel so eight
/// neighbouring pixels blend as one vector; `argb()` converts to the straight alpha SDL's
/// blend mode expects, so the image composites like the strokes drawn directly.
public struct LineRaster {
    public let width: Int
    public let height: Int
    /// Premultiplied r, g, b, a in 0...1: four planes of `plane` floats, each row-major
    /// over the image and then `lanes` floats of slack, so a vector that starts at the
    /// last pixel stays inside its plane.
    private var planes: [Float]
    private let plane: Int
    private typealias Lanes = SIMD8<Float>
    private static let lanes = Lanes.scalarCount
    /// Lane k of a vector starting at pixel x is pixel x + k.
    private static let offsets: Lanes = {
        var o = Lanes()
        for k in 0..<lanes { o[k] = Float(k) }
        return o
    }()

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        plane = self.width * self.height + Self.lanes
        planes = [Float](repeating: 0, count: 4 * plane)
    }

    /// Connected segments through `points`; `lineWidth` in pixels (at least 0.75, as
    /// `Canvas` draws them).
    public mutating func polyline(_ points: [Vec2], _ c: Color, lineWidth: Float) {
        guard points.count >= 2 else { return }
        for i in 0..<(points.count - 1) { segment(points[i], points[i + 1], c, lineWidth: lineWidth) }
    }

    /// One segment: coverage falls from 1 to 0 over the pixel at the stroke's edge, by the
    /// distance from the pixel's centre to the segment (to its nearer end past the ends).
    public mutating func segment(_ a: Vec2, _ b: Vec2, _ c: Color, lineWidth: Float) {
        // A diverged network's weights are NaN: nothing to draw for them.
        guard lineWidth.isFinite, a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite,
              c.a > 0 else { return }
        let hw = min(max(lineWidth, 0.75), 64) / 2, edge = hw + 0.5
        let d = b - a, len2 = d.x * d.x + d.y * d.y
        guard len2 > 1e-8, width > 0, height > 0 else { return }
        let y0 = max(0, Int((min(a.y, b.y) - edge).rounded(.down)))
        let y1 = min(height - 1, Int((max(a.y, b.y) + edge).rounded(.up)))
        guard y0 <= y1 else { return }
        let bx0 = min(a.x, b.x) - edge, bx1 = max(a.x, b.x) + edge
        let len = len2.squareRoot(), nx = d.x / len, ny = d.y / len
        let colour = (r: Float(c.r) / 255, g: Float(c.g) / 255, b: Float(c.b) / 255, a: Float(c.a) / 255)
        let offsets = Self.offsets, plane = self.plane
        planes.withUnsafeMutableBufferPointer { buffer in
            // Invariant: the array holds four planes (init), so its base address exists.
            let base = buffer.baseAddress!
            for y in y0...y1 {
                let qy = Float(y) + 0.5 - a.y
                // The x-interval of pixel centres within `edge` of the segment's line and
                // between its ends widened by `edge` (all of the box for flat segments).
                var lo = bx0, hi = bx1
                if abs(ny) > 1e-6 {
                    let centre = a.x + qy * nx / ny, span = edge / abs(ny)
                    lo = max(lo, centre - span)
                    hi = min(hi, centre + span)
                }
                guard lo <= hi else { continue }
                let x0 = max(0, Int((lo - 0.5).rounded(.down))), x1 = min(width - 1, Int((hi - 0.5).rounded(.up)))
                guard x0 <= x1 else { continue }
                let row = y * width
                var x = x0
                while x <= x1 {
                    // Distance to the segment: project on it, clamp to its ends.
                    let qx = offsets + (Float(x) + 0.5 - a.x)
                    var t = qx * nx + qy * ny
                    t.replace(with: 0, where: t .< 0)
                    t.replace(with: len, where: t .> len)
                    let ex = qx - t * nx, ey = qy - t * ny
                    var cover = edge - (ex * ex + ey * ey).squareRoot()
                    cover.replace(with: 1, where: cover .> 1)
                    // Lanes outside the stroke, or past this row's interval, keep their pixels (alpha 0).
                    cover.replace(with: 0, where: (cover .< 0) .| (offsets .> Float(x1 - x)))
                    let alpha = colour.a * cover
                    let keep = 1 - alpha
                    let p = row + x
                    Self.blend(base + p, colour.r * alpha, keep)
                    Self.blend(base + plane + p, colour.g * alpha, keep)
                    Self.blend(base + 2 * plane + p, colour.b * alpha, keep)
                    Self.blend(base + 3 * plane + p, alpha, keep)
                    x += Self.lanes
                }
            }
        }
    }

    /// Source-over on eight floats of one plane: `add` (the premultiplied source) plus
    /// what is there times `keep`. A lane with alpha 0 stores back the value it loaded.
    @inline(__always)
    private static func blend(_ at: UnsafeMutablePointer<Float>, _ add: Lanes, _ keep: Lanes) {
        let raw = UnsafeMutableRawPointer(at)
        raw.storeBytes(of: add + raw.loadUnaligned(as: Lanes.self) * keep, as: Lanes.self)
    }

    /// The image as straight-alpha ARGB8888 (SDL_PIXELFORMAT_ARGB8888), row-major.
    public func argb() -> [UInt32] {
        var out = [UInt32](repeating: 0, count: width * height)
        let plane = self.plane
        planes.withUnsafeBufferPointer { px in
            for p in 0..<(width * height) {
                let a = px[3 * plane + p]
                guard a > 1e-4 else { continue }
                // Values are at least 0, so adding a half and truncating rounds to nearest.
                func byte(_ v: Float) -> UInt32 { UInt32(min(255, max(0, v) * 255 + 0.5)) }
                out[p] = byte(a) << 24 | byte(px[p] / a) << 16 | byte(px[plane + p] / a) << 8 | byte(px[2 * plane + p] / a)
            }
        }
        return out
    }
}
