import Foundation
import ImprovementHTTPTransport
import Testing

@testable import ImprovementAnalysis
@testable import ImprovementCore
@testable import ImprovementModel

@Suite("Proxy settings")
struct ProxySettingsTests {
    private func proxy(_ url: String, _ environment: [String: String]) throws(NetworkSettingError) -> ProxySettings? {
        try ProxySettings.forURL(URL(string: url)!, environment: environment)
    }

    @Test func theSchemeChoosesTheVariableAndLowercaseWins() throws {
        let environment = [
            "http_proxy": "http://plain:3128", "HTTPS_PROXY": "http://secure:8080", "https_proxy": "secure2:8081",
        ]
        #expect(try proxy("http://sync.example.org", environment)?.host == "plain")
        let secure = try #require(try proxy("https://sync.example.org", environment))
        #expect(secure.host == "secure2" && secure.port == 8081 && secure.kind == .http)
        #expect(try proxy("https://sync.example.org", ["http_proxy": "http://plain:3128"]) == nil)
        #expect(try proxy("http://sync.example.org", ["HTTP_PROXY": "http://upper"])?.port == 80)
        #expect(try proxy("http://sync.example.org", ["http_proxy": "  "]) == nil)
    }

    @Test func noProxyAndLoopbackAreReachedDirectly() throws {
        let environment = ["https_proxy": "http://proxy:3128", "no_proxy": "intranet.nhs.example, .trust.example:443"]
        #expect(try proxy("https://intranet.nhs.example", environment) == nil)
        #expect(try proxy("https://sync.intranet.nhs.example", environment) == nil)
        #expect(try proxy("https://a.trust.example", environment) == nil)
        #expect(try proxy("https://trust.example", environment) == nil)
        #expect(try proxy("https://nottrust.example", environment) != nil)
        #expect(try proxy("https://sync.example.org", environment) != nil)
        #expect(try proxy("https://sync.example.org", ["https_proxy": "http://p:1", "NO_PROXY": "*"]) == nil)
        for local in ["https://localhost:8080", "https://127.0.0.1", "https://[::1]:8080"] {
            #expect(try proxy(local, ["https_proxy": "http://p:1"]) == nil, "\(local)")
        }
    }

    @Test func credentialsAndSocksAreRead() throws {
        let withUser = try #require(
            try proxy("https://s.example", ["https_proxy": "http://ward%20pc:p%40ss@proxy:3128"]))
        #expect(withUser.username == "ward pc" && withUser.password == "p@ss")
        let socks = try #require(try proxy("https://s.example", ["https_proxy": "socks5://gateway"]))
        #expect(socks.kind == .socks && socks.port == 1080 && socks.host == "gateway")
    }

    @Test func anUnusableSettingIsAnErrorNamingTheVariable() {
        for value in ["https://proxy:443", "ftp://proxy", "http://"] {
            #expect(throws: NetworkSettingError.self) { try proxy("https://s.example", ["HTTPS_PROXY": value]) }
        }
        do {
            _ = try proxy("https://s.example", ["HTTPS_PROXY": "https://proxy:443"])
        } catch {
            #expect(error.description.contains("HTTPS_PROXY names a https proxy"))
        }
    }
}
