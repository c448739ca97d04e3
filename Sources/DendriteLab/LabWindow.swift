@preconcurrency import CSDL2
import Foundation

/// The Lab's window: SDL's video subsystem, one resizable window, its renderer and a
/// `Canvas` on it, released in the right order (canvas, renderer, window, SDL).
final class LabWindow {
    let window: OpaquePointer
    let renderer: OpaquePointer
    let canvas: Canvas

    /// Throws `LabError.noDisplay` when no visible window can open.
    init(width: Int, height: Int) throws {
        try LabApp.checkDisplay(environment: ProcessInfo.processInfo.environment)
        guard SDL_Init(SDL_INIT_VIDEO) == 0 else { throw LabError.noDisplay(reason: sdlError()) }
        var opened: [() -> Void] = [{ SDL_Quit() }]
        func unwind() { for close in opened.reversed() { close() } }
        // Debian's SDL falls back to its invisible "offscreen" driver when no display
        // works; a window nobody sees is an error unless that driver was asked for.
        let driver = SDL_GetCurrentVideoDriver().map { String(cString: $0) } ?? "none"
        let requested = ProcessInfo.processInfo.environment["SDL_VIDEODRIVER"]?.lowercased()
        if ["offscreen", "dummy"].contains(driver.lowercased()) && requested != driver.lowercased() {
            unwind()
            throw LabError.noDisplay(reason: "no X11 or Wayland display; SDL fell back to '\(driver)'")
        }
        let centred = Int32(bitPattern: SDL_WINDOWPOS_CENTERED_MASK)
        let flags = SDL_WINDOW_RESIZABLE.rawValue | SDL_WINDOW_SHOWN.rawValue
        guard let w = SDL_CreateWindow("Dendrite Lab", centred, centred, Int32(width), Int32(height), flags) else {
            let reason = sdlError()
            unwind()
            throw LabError.noDisplay(reason: reason)
        }
        opened.append { SDL_DestroyWindow(w) }
        SDL_SetWindowMinimumSize(w, 960, 600)
        guard let r = SDL_CreateRenderer(w, -1, SDL_RENDERER_ACCELERATED.rawValue)
                ?? SDL_CreateRenderer(w, -1, SDL_RENDERER_SOFTWARE.rawValue) else {
            let reason = sdlError()
            unwind()
            throw LabError.sdl(what: "SDL_CreateRenderer", reason: reason)
        }
        opened.append { SDL_DestroyRenderer(r) }
        do {
            canvas = try Canvas(renderer: r)
        } catch {
            unwind()
            throw error
        }
        window = w
        renderer = r
    }

    deinit {
        // The renderer must die before its window, and both before SDL_Quit.
        canvas.release()
        SDL_DestroyRenderer(renderer)
        SDL_DestroyWindow(window)
        SDL_Quit()
    }
}
