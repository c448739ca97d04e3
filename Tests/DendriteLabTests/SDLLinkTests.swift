import Testing
@testable import DendriteLab

extension LabSuite {
    @Suite struct SDLLinkTests {
        @Test func linksSDL2() {
            #expect(linkedSDLVersion().hasPrefix("2."))
        }
    }
}
