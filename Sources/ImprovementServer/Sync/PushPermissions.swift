import ImprovementCore

/// Who may push what: checked for every change of a batch before any of it is applied. The rules
/// are the core's `PermissionRules`, the same a device applies before it writes; the server adds
/// what only it knows, the site it already holds for the record.
enum PushPermissions {
    /// - Parameter storedSite: the site the server already holds for the record: nil when the
    ///   record is new here, `.some(nil)` for a global definition.
    static func check(_ change: Change, account: Account, storedSite: String??) throws(SyncStorageError) {
        func refuse(_ reason: String) -> SyncStorageError {
            .forbidden(
                changeID: change.id,
                message: "Change \(change.id) (\(change.type) \(change.entity)) was refused: \(reason). "
                    + "Nothing in the batch was applied.")
        }
        let scope = account.scope
        // The record's site is what the server knows, not what the change claims (a viewer is
        // refused as a viewer whatever it claims).
        if scope.role != .viewer, let storedSite, storedSite != change.site {
            throw refuse("it claims site \(change.site ?? "none") but the record belongs to \(storedSite ?? "no site")")
        }
        if let reason = PermissionRules.refusal(for: change, account: scope) { throw refuse(reason) }
    }
}
