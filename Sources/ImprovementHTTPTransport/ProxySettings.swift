import Foundation

/// The proxy a request should go through, from the environment variables curl and most Linux
/// tools read (hospital networks often allow the outside world only through one):
/// `https_proxy`/`HTTPS_PROXY` for https addresses, `http_proxy`/`HTTP_PROXY` for http ones,
/// `no_proxy`/`NO_PROXY` for hosts to reach directly. Loopback is always reached directly.
package struct ProxySettings: Hashable, Sendable {
    package enum Kind: Hashable, Sendable {
        case http
        case socks
    }

    package var kind: Kind
    package var host: String
    package var port: Int
    package var username: String?
    package var password: String?

    /// The proxy for `url`, or nil to connect directly.
    package static func forURL(_ url: URL, environment: [String: String]) throws(NetworkSettingError) -> ProxySettings?
    {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        let variable = scheme == "https" ? "https_proxy" : "http_proxy"
        guard let (name, value) = Self.variable(variable, in: environment) else { return nil }
        if Self.isLoopback(host) || Self.bypasses(host, list: Self.variable("no_proxy", in: environment)?.1 ?? "") {
            return nil
        }
        return try Self.parse(value, variable: name)
    }

    private static func variable(_ name: String, in environment: [String: String]) -> (String, String)? {
        for candidate in [name, name.uppercased()] {
            if let value = environment[candidate]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
                return (candidate, value)
            }
        }
        return nil
    }

    private static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host == "[::1]"
            || host.hasPrefix("127.")
    }

    /// curl's rules: `*` bypasses everything; an entry matches the host itself or any host
    /// under it (`example.org` and `.example.org` both match `sync.example.org`); ports are ignored.
    private static func bypasses(_ host: String, list: String) -> Bool {
        for raw in list.split(separator: ",") {
            var entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry == "*" { return true }
            if let colon = entry.lastIndex(of: ":"), !entry.contains("]"), entry.filter({ $0 == ":" }).count == 1 {
                entry = String(entry[..<colon])
            }
            if entry.hasPrefix(".") { entry.removeFirst() }
            guard !entry.isEmpty else { continue }
            if host == entry || host.hasSuffix("." + entry) { return true }
        }
        return false
    }

    private static func parse(_ value: String, variable: String) throws(NetworkSettingError) -> ProxySettings {
        let text = value.contains("://") ? value : "http://" + value
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw NetworkSettingError(description: "\(variable) is not a proxy address (expected http://HOST:PORT)")
        }
        let kind: Kind
        switch components.scheme?.lowercased() {
        case "http": kind = .http
        case "socks5", "socks5h", "socks": kind = .socks
        default:
            throw NetworkSettingError(
                description: "\(variable) names a \(components.scheme ?? "") proxy; "
                    + "this client reaches proxies over http:// or socks5:// only")
        }
        if kind == .socks, components.user != nil {
            throw NetworkSettingError(description: "\(variable): a SOCKS proxy with a user name is not supported")
        }
        return ProxySettings(
            kind: kind, host: host, port: components.port ?? (kind == .socks ? 1080 : 80),
            username: components.user?.removingPercentEncoding, password: components.password?.removingPercentEncoding)
    }
}

/// A network setting from the environment (a proxy, a certificate file) that cannot be used,
/// in words that name the variable.
package struct NetworkSettingError: Error, CustomStringConvertible {
    package var description: String
}
