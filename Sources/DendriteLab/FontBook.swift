@preconcurrency import CSDL2
import Foundation

/// SDL_ttf fonts (DejaVu Sans, and DejaVu Sans Mono for code) opened once per size and face. SDL_ttf shares one FreeType library
/// per process, which is not safe to use from two threads at once (tests render in
/// parallel), so every call into SDL_ttf goes through `FontBook.lock`.
final class FontBook {
    /// `DENDRITE_FONT` names another TrueType file, used for every face.
    static let override = ProcessInfo.processInfo.environment["DENDRITE_FONT"].flatMap { $0.isEmpty ? nil : $0 }
    private static func face(_ file: String) -> String { override ?? "/usr/share/fonts/truetype/dejavu/" + file }
    static var regularPath: String { face("DejaVuSans.ttf") }
    static var boldPath: String { face("DejaVuSans-Bold.ttf") }
    static var italicPath: String { face("DejaVuSans-Oblique.ttf") }
    static var boldItalicPath: String { face("DejaVuSans-BoldOblique.ttf") }
    static var monoPath: String { face("DejaVuSansMono.ttf") }
    static var monoBoldPath: String { face("DejaVuSansMono-Bold.ttf") }
    static let lock = NSLock()
    nonisolated(unsafe) private static var initialised = false

    private struct Key: Hashable { var size: Int; var bold: Bool; var italic: Bool; var mono: Bool }
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

    /// The font at `size` points. A missing face falls back to regular DejaVu Sans;
    /// italic without an oblique file is slanted by SDL_ttf (fonts-dejavu-core ships
    /// only regular, bold and mono).
    func font(size: Int, bold: Bool = false, italic: Bool = false, mono: Bool = false) -> OpaquePointer? {
        let key = Key(size: size, bold: bold, italic: italic, mono: mono)
        if let f = fonts[key] { return f }
        let wanted: String
        switch (mono, bold, italic) {
        case (true, true, _): wanted = FontBook.monoBoldPath
        case (true, false, _): wanted = FontBook.monoPath
        case (false, true, true): wanted = FontBook.boldItalicPath
        case (false, true, false): wanted = FontBook.boldPath
        case (false, false, true): wanted = FontBook.italicPath
        case (false, false, false): wanted = FontBook.regularPath
        }
        var path = wanted
        if !FileManager.default.fileExists(atPath: path) {
            path = bold && !mono && FileManager.default.fileExists(atPath: FontBook.boldPath) ? FontBook.boldPath : FontBook.regularPath
        }
        let f = FontBook.lock.withLock { () -> OpaquePointer? in
            let f = TTF_OpenFont(path, Int32(size))
            if let f, italic, !path.contains("Oblique") { TTF_SetFontStyle(f, TTF_STYLE_ITALIC) }
            return f
        }
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
