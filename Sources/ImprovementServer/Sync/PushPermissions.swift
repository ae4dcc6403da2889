import ImprovementCore

/// Who may push what: checked for every change of a batch before any of it is applied.
enum PushPermissions {
    /// Record types that define the programme rather than record data about it.
    static let definitionTypes: Set<String> = ["site", "unit", "programme", "driver", "measure"]

    /// - Parameter storedSite: the site the server already holds for the record: nil when the
    ///   record is new here, `.some(nil)` for a global definition.
    static func check(_ change: Change, account: Account, storedSite: String??) throws(SyncStorageError) {
        func refuse(_ reason: String) -> SyncStorageError {
            .forbidden("Change \(change.id) (\(change.type) \(change.entity)) was refused: \(reason). Nothing in the batch was applied.")
        }
        if account.role == .viewer { throw refuse("a viewer account can read but not send changes") }
        // The record's site is what the server knows, not what the change claims.
        if let storedSite, storedSite != change.site {
            throw refuse("it claims site \(change.site ?? "none") but the record belongs to \(storedSite ?? "no site")")
        }
        if let claimed = change.fields["site"], claimed != (change.site.map(FieldValue.text) ?? .null) {
            throw refuse("its site field does not match the site it is sent for")
        }
        if change.type == "site", change.site != change.entity { throw refuse("a site belongs to itself") }

        let isDefinition = definitionTypes.contains(change.type)
        let isResolution = change.type == "resolution"
        if (isDefinition || isResolution) && account.role == .member {
            throw refuse("only coordinators and admins change \(isResolution ? "conflict resolutions" : "\(change.type)s")")
        }
        guard let site = change.site else {
            // Global records: programmes, drivers and measures, or notes for every site.
            if account.role == .member { throw refuse("only coordinators and admins change records shared by every site") }
            return
        }
        guard account.belongs(to: site) else { throw refuse("the account does not belong to site \(site)") }
    }
}
