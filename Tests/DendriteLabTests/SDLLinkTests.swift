import Testing
@testable import DendriteLab

@Suite struct SDLLinkTests {
    @Test func linksSDL2() {
        #expect(linkedSDLVersion().hasPrefix("2."))
    }
}
