@preconcurrency import CSDL2
#if canImport(Glibc)
import Glibc
#endif

/// How a text's anchor point relates to the text box.
public enum TextAlign: Sendable { case left, center, right }

/// A thin drawing layer over one SDL_Renderer: thick lines, circles, rectangles,
/// Bezier curves, text (SDL2_ttf, DejaVu Sans) and pixel images for heatmaps. All
/// coordinates are window pixels as Float. Shapes are triangles sent through
/// SDL_RenderGeometry, so the same code draws into a window and into an offscreen
/// surface (software renderer).
///
/// The canvas owns textures on its renderer: call `release()` before destroying the
/// renderer (owners do this in their deinit).
public final class Canvas {
    public let renderer: OpaquePointer
    public let theme: Theme
    private let fonts: FontBook
    private var released = false

    private struct TextKey: Hashable { var text: String; var size: Int; var bold: Bool; var italic: Bool; var mono: Bool; var color: Color }
    private struct TextTexture { var texture: OpaquePointer; var w: Int32; var h: Int32 }
    private var textCache: [TextKey: TextTexture] = [:]
    private struct ImageSlot { var texture: OpaquePointer; var w: Int; var h: Int; var version: Int? }
    private var images: [String: ImageSlot] = [:]
    private var vertices: [SDL_Vertex] = []
    private var batched: [SDL_Vertex] = []
    private var batching = false

    /// Seconds since some start; views use it for pulses (set by the owner each frame).
    public var time: Double = 0

    public init(renderer: OpaquePointer, theme: Theme = .standard) throws {
        self.renderer = renderer
        self.theme = theme
        self.fonts = try FontBook()
        SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_BLEND)
    }

    deinit { release() }

    /// Frees every texture and font. Idempotent; must run before the renderer dies.
    public func release() {
        guard !released else { return }
        released = true
        for t in textCache.values { SDL_DestroyTexture(t.texture) }
        for s in images.values { SDL_DestroyTexture(s.texture) }
        textCache.removeAll()
        images.removeAll()
        fonts.close()
    }

    /// The renderer's output size in pixels.
    public var outputSize: (w: Int, h: Int) {
        var w: Int32 = 0, h: Int32 = 0
        SDL_GetRendererOutputSize(renderer, &w, &h)
        return (Int(w), Int(h))
    }

    // MARK: Rectangles and clipping

    public func clear(_ c: Color) {
        SDL_SetRenderDrawColor(renderer, c.r, c.g, c.b, c.a)
        SDL_RenderClear(renderer)
    }

    public func fill(_ r: Rect, _ c: Color) {
        SDL_SetRenderDrawColor(renderer, c.r, c.g, c.b, c.a)
        var fr = SDL_FRect(x: r.x, y: r.y, w: r.w, h: r.h)
        SDL_RenderFillRectF(renderer, &fr)
    }

    public func stroke(_ r: Rect, _ c: Color, width: Float = 1) {
        fill(Rect(x: r.x, y: r.y, w: r.w, h: width), c)
        fill(Rect(x: r.x, y: r.maxY - width, w: r.w, h: width), c)
        fill(Rect(x: r.x, y: r.y + width, w: width, h: r.h - 2 * width), c)
        fill(Rect(x: r.maxX - width, y: r.y + width, w: width, h: r.h - 2 * width), c)
    }

    /// Restricts drawing to `r` (nil: whole target).
    public func clip(_ r: Rect?) {
        if let r {
            var sr = SDL_Rect(x: Int32(r.x), y: Int32(r.y), w: Int32(r.w.rounded(.up)), h: Int32(r.h.rounded(.up)))
            SDL_RenderSetClipRect(renderer, &sr)
        } else {
            SDL_RenderSetClipRect(renderer, nil)
        }
    }

    // MARK: Lines and curves

    /// A straight line `width` pixels thick.
    public func line(_ a: Vec2, _ b: Vec2, _ c: Color, width: Float = 1) {
        vertices.removeAll(keepingCapacity: true)
        appendSegment(a, b, c, width: width)
        flushTriangles()
    }

    /// Connected segments through `points`, with round joints when thick.
    public func polyline(_ points: [Vec2], _ c: Color, width: Float = 1) {
        guard points.count >= 2 else { return }
        vertices.removeAll(keepingCapacity: true)
        for i in 0..<(points.count - 1) { appendSegment(points[i], points[i + 1], c, width: width) }
        // Round joints only for opaque lines: translucent overlaps would show as dots.
        if width > 2.5 && c.a == 255 {
            for p in points.dropFirst().dropLast() { appendDisc(p, radius: width / 2, c, segments: 8) }
        }
        flushTriangles()
    }

    /// A cubic Bezier curve from p0 to p3 with control points p1, p2.
    public func bezier(_ p0: Vec2, _ p1: Vec2, _ p2: Vec2, _ p3: Vec2, _ c: Color,
                       width: Float = 1, segments: Int = 16) {
        polyline(Canvas.bezierPoints(p0, p1, p2, p3, segments: segments), c, width: width)
    }

    /// Points along a cubic Bezier curve (segments + 1 of them), for drawing and hit tests.
    public static func bezierPoints(_ p0: Vec2, _ p1: Vec2, _ p2: Vec2, _ p3: Vec2, segments: Int) -> [Vec2] {
        (0...segments).map { i in
            let t = Float(i) / Float(segments), u = 1 - t
            let a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t
            return Vec2(a * p0.x + b * p1.x + c * p2.x + d * p3.x, a * p0.y + b * p1.y + c * p2.y + d * p3.y)
        }
    }

    // MARK: Circles

    public func fillCircle(_ center: Vec2, radius: Float, _ c: Color) {
        vertices.removeAll(keepingCapacity: true)
        appendDisc(center, radius: radius, c, segments: Canvas.segments(for: radius))
        flushTriangles()
    }

    public func strokeCircle(_ center: Vec2, radius: Float, _ c: Color, width: Float = 1) {
        let n = Canvas.segments(for: radius)
        vertices.removeAll(keepingCapacity: true)
        let r0 = radius - width / 2, r1 = radius + width / 2
        for i in 0..<n {
            let a0 = Float(i) / Float(n) * 2 * .pi, a1 = Float(i + 1) / Float(n) * 2 * .pi
            let i0 = Vec2(center.x + r0 * cosf(a0), center.y + r0 * sinf(a0))
            let o0 = Vec2(center.x + r1 * cosf(a0), center.y + r1 * sinf(a0))
            let i1 = Vec2(center.x + r0 * cosf(a1), center.y + r0 * sinf(a1))
            let o1 = Vec2(center.x + r1 * cosf(a1), center.y + r1 * sinf(a1))
            appendQuad(i0, o0, o1, i1, c)
        }
        flushTriangles()
    }

    private static func segments(for radius: Float) -> Int { max(12, min(64, Int(radius * 1.5))) }

    // MARK: Text

    /// Size in pixels of `text` at `size` points.
    public func measure(_ text: String, size: Int, bold: Bool = false, italic: Bool = false,
                        mono: Bool = false) -> (w: Float, h: Float) {
        guard !text.isEmpty, let font = fonts.font(size: size, bold: bold, italic: italic, mono: mono) else { return (0, Float(size)) }
        var w: Int32 = 0, h: Int32 = 0
        _ = FontBook.lock.withLock { TTF_SizeUTF8(font, text, &w, &h) }
        return (Float(w), Float(h))
    }

    /// Draws `text` with its top edge at `at.y`; `align` places `at.x` at the left edge,
    /// centre or right edge; `mono` uses DejaVu Sans Mono. Returns the rectangle it covered.
    @discardableResult
    public func text(_ text: String, at p: Vec2, size: Int, _ c: Color, align: TextAlign = .left,
                     bold: Bool = false, italic: Bool = false, mono: Bool = false) -> Rect {
        guard !text.isEmpty, let t = textTexture(text, size: size, bold: bold, italic: italic, mono: mono, color: c) else {
            return Rect(x: p.x, y: p.y, w: 0, h: Float(size))
        }
        let w = Float(t.w), h = Float(t.h)
        let x: Float
        switch align {
        case .left: x = p.x
        case .center: x = p.x - w / 2
        case .right: x = p.x - w
        }
        var dst = SDL_FRect(x: x.rounded(), y: p.y.rounded(), w: w, h: h)
        SDL_RenderCopyF(renderer, t.texture, nil, &dst)
        return Rect(x: x, y: p.y, w: w, h: h)
    }

    /// `text` shortened with "…" until it fits `width` pixels.
    public func fitted(_ text: String, width: Float, size: Int, bold: Bool = false) -> String {
        guard measure(text, size: size, bold: bold).w > width else { return text }
        var s = text
        while !s.isEmpty && measure(s + "…", size: size, bold: bold).w > width { s.removeLast() }
        return s.isEmpty ? "" : s + "…"
    }

    private func textTexture(_ text: String, size: Int, bold: Bool, italic: Bool, mono: Bool, color: Color) -> TextTexture? {
        let key = TextKey(text: text, size: size, bold: bold, italic: italic, mono: mono, color: color)
        if let t = textCache[key] { return t }
        guard let font = fonts.font(size: size, bold: bold, italic: italic, mono: mono) else { return nil }
        // Live numbers make new strings every frame; keep the cache bounded.
        if textCache.count > 800 {
            for t in textCache.values { SDL_DestroyTexture(t.texture) }
            textCache.removeAll()
        }
        let surface = FontBook.lock.withLock {
            TTF_RenderUTF8_Blended(font, text, SDL_Color(r: color.r, g: color.g, b: color.b, a: color.a))
        }
        guard let surface else { return nil }
        defer { SDL_FreeSurface(surface) }
        guard let tex = SDL_CreateTextureFromSurface(renderer, surface) else { return nil }
        let t = TextTexture(texture: tex, w: surface.pointee.w, h: surface.pointee.h)
        textCache[key] = t
        return t
    }

    // MARK: Images (heatmaps)

    /// Draws a `width` x `height` image of ARGB8888 pixels (row-major, top row first)
    /// scaled into `rect`. `slot` names a texture reused across frames, so a heatmap
    /// redrawn every frame costs one upload, not one allocation.
    public func image(slot: String, argb pixels: [UInt32], width: Int, height: Int, in rect: Rect,
                      smooth: Bool = true) {
        image(slot: slot, version: nil, width: width, height: height, in: rect, smooth: smooth) { pixels }
    }

    /// Like `image(slot:argb:...)`, but `pixels` is only called (and uploaded) when
    /// `version` differs from the slot's last one: unchanged heatmaps cost a blit.
    public func image(slot: String, version: Int?, width: Int, height: Int, in rect: Rect,
                      smooth: Bool = true, pixels: () -> [UInt32]) {
        var s = images[slot]
        if let old = s, old.w != width || old.h != height {
            SDL_DestroyTexture(old.texture)
            s = nil
        }
        if s == nil {
            guard let tex = SDL_CreateTexture(renderer, SDL_PIXELFORMAT_ARGB8888.rawValue,
                                              Int32(SDL_TEXTUREACCESS_STATIC.rawValue),
                                              Int32(width), Int32(height)) else { return }
            SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND)
            s = ImageSlot(texture: tex, w: width, h: height, version: nil)
        }
        guard var slotValue = s else { return }
        if version == nil || slotValue.version != version {
            let px = pixels()
            // Invariant: every pixels closure in this module makes width * height pixels.
            precondition(px.count == width * height, "image needs \(width * height) pixels, got \(px.count)")
            px.withUnsafeBytes { raw in
                _ = SDL_UpdateTexture(slotValue.texture, nil, raw.baseAddress, Int32(width * 4))
            }
            slotValue.version = version
        }
        images[slot] = slotValue
        SDL_SetTextureScaleMode(slotValue.texture, smooth ? SDL_ScaleModeLinear : SDL_ScaleModeNearest)
        var dst = SDL_FRect(x: rect.x, y: rect.y, w: rect.w, h: rect.h)
        SDL_RenderCopyF(renderer, slotValue.texture, nil, &dst)
    }

    /// Draws what `slot` last held, scaled into `rect`; false when the slot is empty.
    public func redraw(slot: String, in rect: Rect) -> Bool {
        guard let s = images[slot] else { return false }
        var dst = SDL_FRect(x: rect.x, y: rect.y, w: rect.w, h: rect.h)
        SDL_RenderCopyF(renderer, s.texture, nil, &dst)
        return true
    }

    /// Many small discs with a rim (scatter points), drawn as copies of one cached,
    /// antialiased sprite per colour pair: far cheaper than triangles per point.
    public func dots(_ centres: [Vec2], radius: Float, fill: Color, rim: Color, rimWidth: Float = 1.2) {
        let scale: Float = 4
        let size = Int(((radius + rimWidth) * 2 * scale).rounded(.up)) + 2
        let slot = "dot.\(fill.argb).\(rim.argb).\(size).\(rimWidth)"
        let outer = radius + rimWidth
        if images[slot] == nil {
            var px = [UInt32](repeating: 0, count: size * size)
            let c = Float(size) / 2
            for y in 0..<size {
                for x in 0..<size {
                    let d = (Vec2(Float(x) + 0.5, Float(y) + 0.5) - Vec2(c, c)).length / scale
                    let a = max(0, min(1, outer - d + 0.5 / scale * 2))
                    guard a > 0 else { continue }
                    let inner = max(0, min(1, radius - d + 0.5))
                    px[y * size + x] = Color.mix(rim, fill, inner).withAlpha(a).argb
                }
            }
            image(slot: slot, version: 0, width: size, height: size, in: Rect(x: -100, y: -100, w: 1, h: 1)) { px }
        }
        guard let s = images[slot] else { return }
        SDL_SetTextureScaleMode(s.texture, SDL_ScaleModeLinear)
        // Every sprite in one textured draw call: hundreds of separate copies cost a
        // software OpenGL more than the pixels they cover.
        let half = Float(size) / scale / 2
        vertices.removeAll(keepingCapacity: true)
        for p in centres {
            let x0 = p.x - half, y0 = p.y - half, x1 = p.x + half, y1 = p.y + half
            appendTexturedQuad(x0, y0, x1, y1)
        }
        vertices.withUnsafeBufferPointer { v in
            _ = SDL_RenderGeometry(renderer, s.texture, v.baseAddress, Int32(v.count), nil, 0)
        }
    }

    /// Two triangles covering (x0, y0)-(x1, y1) with the whole texture, in white (no tint).
    private func appendTexturedQuad(_ x0: Float, _ y0: Float, _ x1: Float, _ y1: Float) {
        func v(_ x: Float, _ y: Float, _ u: Float, _ w: Float) -> SDL_Vertex {
            SDL_Vertex(position: SDL_FPoint(x: x, y: y), color: SDL_Color(r: 255, g: 255, b: 255, a: 255),
                       tex_coord: SDL_FPoint(x: u, y: w))
        }
        vertices.append(v(x0, y0, 0, 0)); vertices.append(v(x1, y0, 1, 0)); vertices.append(v(x1, y1, 1, 1))
        vertices.append(v(x0, y0, 0, 0)); vertices.append(v(x1, y1, 1, 1)); vertices.append(v(x0, y1, 0, 1))
    }

    // MARK: Triangles

    private func appendVertex(_ p: Vec2, _ c: Color) {
        vertices.append(SDL_Vertex(position: SDL_FPoint(x: p.x, y: p.y),
                                   color: SDL_Color(r: c.r, g: c.g, b: c.b, a: c.a),
                                   tex_coord: SDL_FPoint(x: 0, y: 0)))
    }

    private func appendQuad(_ a: Vec2, _ b: Vec2, _ c: Vec2, _ d: Vec2, _ col: Color) {
        appendVertex(a, col); appendVertex(b, col); appendVertex(c, col)
        appendVertex(a, col); appendVertex(c, col); appendVertex(d, col)
    }

    private func appendSegment(_ a: Vec2, _ b: Vec2, _ c: Color, width: Float) {
        let d = b - a, len = d.length
        guard len > 1e-4 else { return }
        let hw = max(width, 0.75) / 2
        let n = Vec2(-d.y / len * hw, d.x / len * hw)
        appendQuad(a + n, b + n, b - n, a - n, c)
    }

    private func appendDisc(_ center: Vec2, radius: Float, _ c: Color, segments n: Int) {
        var prev = Vec2(center.x + radius, center.y)
        for i in 1...n {
            let a = Float(i) / Float(n) * 2 * .pi
            let p = Vec2(center.x + radius * cosf(a), center.y + radius * sinf(a))
            appendVertex(center, c); appendVertex(prev, c); appendVertex(p, c)
            prev = p
        }
    }

    /// Collects the triangles of every shape drawn inside `body` into one draw call.
    /// Only for untextured shapes (lines, curves, circles) that need no text in between.
    public func batch(_ body: () -> Void) {
        batching = true
        batched.removeAll(keepingCapacity: true)
        body()
        batching = false
        swap(&vertices, &batched)
        flushTriangles()
        swap(&vertices, &batched)
    }

    private func flushTriangles() {
        guard !vertices.isEmpty else { return }
        if batching {
            batched.append(contentsOf: vertices)
            return
        }
        vertices.withUnsafeBufferPointer { v in
            _ = SDL_RenderGeometry(renderer, nil, v.baseAddress, Int32(v.count), nil, 0)
        }
    }
}
