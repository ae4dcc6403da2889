import Foundation
import ImprovementTestSupport
import Testing

/// Devices reach servers over HTTPS behind a TLS terminator: a certificate the device does not
/// trust is refused with words a ward team can pass on; trusting the organisation's own
/// authority through SSL_CERT_FILE lets the sync through; a certificate for another name is refused.
@Suite("HTTPS")
struct TLSTests {
    @Test func aDeviceTrustsOnlyCertificatesItKnowsAndNamesThatMatch() throws {
        let folder = try TemporaryFolder()
        let server = try TestServer(in: folder)
        let token = try server.addUser("dr.ahmed", role: "coordinator", sites: ["north"])
        try server.start()
        defer { server.stop() }
        let tls = try TLSTerminator(forwardingTo: server.port, names: "DNS:localhost", in: folder)
        defer { tls.stop() }

        let device = Device("ward", user: "dr.ahmed", in: folder)
        try device.ok([
            "init", "--site", "north", "--server", "https://localhost:\(tls.port)", "--token", token, "--replica",
            "ward",
        ])
        try device.ok(["site", "add", "north", "--name", "North"])

        let untrusted = try device.run(["sync", "--retries", "0"])
        #expect(untrusted.status != 0)
        #expect(untrusted.error.contains("certificate is not trusted on this device"), "\(untrusted.error)")
        #expect(try device.pending() == 1)

        let unreadable = try device.run(
            ["sync", "--retries", "0"], environment: ["SSL_CERT_FILE": folder.path("none.pem")])
        #expect(unreadable.error.contains("SSL_CERT_FILE names"), "\(unreadable.error)")

        try device.ok(["sync", "--retries", "0"], environment: ["SSL_CERT_FILE": tls.certificate])
        #expect(try device.pending() == 0)

        // The same trusted certificate, reached by an address it was not made for.
        let other = Device("laptop", user: "dr.ahmed", in: folder)
        try other.ok([
            "init", "--site", "north", "--server", "https://127.0.0.1:\(tls.port)", "--token", token, "--replica",
            "laptop",
        ])
        try other.ok(["site", "add", "north", "--name", "North"])
        let misnamed = try other.run(["sync", "--retries", "0"], environment: ["SSL_CERT_FILE": tls.certificate])
        #expect(misnamed.status != 0)
        #expect(misnamed.error.contains("certificate is for another name"), "\(misnamed.error)")
        #expect(try other.pending() == 1)
    }
}
