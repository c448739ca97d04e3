@preconcurrency import CSDL2

/// A canvas that draws into memory: an ARGB8888 SDL_Surface with a software renderer.
/// Needs no video subsystem and no display, so tests and the CLI use it to make PNGs.
public final class Offscreen {
    public let width: Int
    public let height: Int
    public let canvas: Canvas
    private let surface: UnsafeMutablePointer<SDL_Surface>
    private let renderer: OpaquePointer

    public init(width: Int, height: Int, theme: Theme = .standard) throws {
        // Invariant: callers pass sizes the CLI and LabState keep positive (render checks 640...4096 x 400...4096) and pixels inside them; a created surface has pixels.
        precondition(width > 0 && height > 0, "offscreen size must be positive, got \(width)x\(height)")
        guard let s = SDL_CreateRGBSurfaceWithFormat(0, Int32(width), Int32(height), 32,
                                                     SDL_PIXELFORMAT_ARGB8888.rawValue) else {
            throw LabError.sdl(what: "SDL_CreateRGBSurfaceWithFormat(\(width)x\(height))", reason: sdlError())
        }
        guard let r = SDL_CreateSoftwareRenderer(s) else {
            SDL_FreeSurface(s)
            throw LabError.sdl(what: "SDL_CreateSoftwareRenderer", reason: sdlError())
        }
        do {
            canvas = try Canvas(renderer: r, theme: theme)
        } catch {
            SDL_DestroyRenderer(r)
            SDL_FreeSurface(s)
            throw error
        }
        self.width = width
        self.height = height
        surface = s
        renderer = r
    }

    deinit {
        canvas.release()
        SDL_DestroyRenderer(renderer)
        SDL_FreeSurface(surface)
    }

    /// Makes sure every queued draw call has reached the surface.
    public func flush() { SDL_RenderFlush(renderer) }

    /// The colour at pixel (x, y) after flushing.
    public func pixel(x: Int, y: Int) -> Color {
        // Invariant: callers pass sizes the CLI and LabState keep positive (render checks 640...4096 x 400...4096) and pixels inside them; a created surface has pixels.
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
        flush()
        let pitch = Int(surface.pointee.pitch)
        let base = surface.pointee.pixels!.assumingMemoryBound(to: UInt8.self)
        let v = (base + y * pitch + x * 4).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee }
        return Color(argb: v)
    }

    /// Every pixel in `r` (clamped to the surface), row by row.
    public func pixels(in r: Rect) -> [Color] {
        flush()
        let x0 = max(0, Int(r.x)), y0 = max(0, Int(r.y))
        let x1 = min(width, Int(r.maxX)), y1 = min(height, Int(r.maxY))
        guard x1 > x0, y1 > y0 else { return [] }
        var out: [Color] = []
        out.reserveCapacity((x1 - x0) * (y1 - y0))
        let pitch = Int(surface.pointee.pitch)
        // Invariant: callers pass sizes the CLI and LabState keep positive (render checks 640...4096 x 400...4096) and pixels inside them; a created surface has pixels.
        let base = surface.pointee.pixels!.assumingMemoryBound(to: UInt8.self)
        for y in y0..<y1 {
            (base + y * pitch + x0 * 4).withMemoryRebound(to: UInt32.self, capacity: x1 - x0) { row in
                for i in 0..<(x1 - x0) { out.append(Color(argb: row[i])) }
            }
        }
        return out
    }

    /// Writes the surface as a PNG file.
    public func savePNG(_ path: String) throws {
        flush()
        guard IMG_SavePNG(surface, path) == 0 else { throw LabError.png(path: path, reason: sdlError()) }
    }
}
