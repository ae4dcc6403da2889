import ImprovementCore

extension DeviceConfig {
    /// The role and sites local writes are judged against; nil while the server has not said
    /// (a device set up before servers answered `GET /v1/account`, or offline at `improve init`).
    var accountScope: AccountScope? {
        role.flatMap(Role.init(rawValue:)).map { AccountScope(role: $0, sites: Set(sites ?? [])) }
    }

    /// Keeps what the server said about this device's token.
    mutating func remember(_ account: ServerAccount) {
        self.account = account.user
        role = account.scope.role.rawValue
        sites = account.scope.sites.sorted()
    }

    /// Forgets the role: it belonged to another server or token.
    mutating func forgetAccount() {
        account = nil
        role = nil
        sites = nil
    }
}
