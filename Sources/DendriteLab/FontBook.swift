@preconcurrency import CSDL2
import Foundation

/// SDL_ttf fonts (DejaVu Sans) opened once per size. SDL_ttf shares one FreeType library
/// per process, which is not safe to use from two threads at once (tests render in
/// parallel), so every call into SDL_ttf goes through `FontBook.lock`.
final class FontBook {
    static let defaultRegularPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    static let defaultBoldPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    /// `DENDRITE_FONT` names another TrueType file, used for regular and bold text.
    static let override = ProcessInfo.processInfo.environment["DENDRITE_FONT"].flatMap { $0.isEmpty ? nil : $0 }
    static var regularPath: String { override ?? defaultRegularPath }
    static var boldPath: String { override ?? defaultBoldPath }
    static let lock = NSLock()
    nonisolated(unsafe) private static var initialised = false

    private struct Key: Hashable { var size: Int; var bold: Bool }
    private var fonts: [Key: OpaquePointer] = [:]

    init() throws {
        guard FileManager.default.fileExists(atPath: FontBook.regularPath) else {
            throw LabError.fontMissing(path: FontBook.regularPath)
        }
        try FontBook.lock.withLock {
            if !FontBook.initialised {
                guard TTF_Init() == 0 else { throw LabError.sdl(what: "TTF_Init", reason: sdlError()) }
                FontBook.initialised = true
            }
            // A file that exists but is no font would otherwise draw every label blank.
            guard let probe = TTF_OpenFont(FontBook.regularPath, 12) else {
                throw LabError.fontUnreadable(path: FontBook.regularPath, reason: sdlError())
            }
            TTF_CloseFont(probe)
        }
    }

    /// The font at `size` points; bold falls back to regular if the bold face is missing.
    func font(size: Int, bold: Bool = false) -> OpaquePointer? {
        let key = Key(size: size, bold: bold)
        if let f = fonts[key] { return f }
        let path = bold && FileManager.default.fileExists(atPath: FontBook.boldPath) ? FontBook.boldPath : FontBook.regularPath
        let f = FontBook.lock.withLock { TTF_OpenFont(path, Int32(size)) }
        if let f { fonts[key] = f }
        return f
    }

    func close() {
        FontBook.lock.withLock {
            for f in fonts.values { TTF_CloseFont(f) }
        }
        fonts.removeAll()
    }
}

/// SDL's last error message as a Swift string.
func sdlError() -> String {
    guard let e = SDL_GetError() else { return "unknown SDL error" }
    let s = String(cString: e)
    return s.isEmpty ? "unknown SDL error" : s
}
