/// The rules every change from another replica must meet before it is merged (Protocol/README.md,
/// "Limits"). They need no database, so the server checks a whole batch before touching storage.
package enum ChangeRules {
    package static func check(_ change: Change) throws(StoreError) {
        func refuse(_ reason: String) -> StoreError { .invalidChange(id: change.id, reason: reason) }
        guard !change.id.isEmpty, change.id.utf8.count <= 100 else { throw refuse("its id must be 1-100 characters") }
        guard ReplicaID.isValid(change.replica), change.hlc.replica == change.replica else {
            throw refuse("its replica id is invalid or does not match its clock")
        }
        guard !change.type.isEmpty, change.type.utf8.count <= 64 else { throw refuse("its record type is invalid") }
        guard !change.entity.isEmpty, change.entity.utf8.count <= 300 else { throw refuse("its record id is invalid") }
        if let site = change.site, !isSiteID(site) { throw refuse("its site \"\(site)\" is not a site id") }
        guard change.author.utf8.count <= 200 else { throw refuse("its author is longer than 200 characters") }
        guard !change.fields.isEmpty else { throw refuse("it changes no field") }
        let type = EntityType.named(change.type)
        for (field, value) in change.fields {
            guard !field.isEmpty, field.utf8.count <= 64 else { throw refuse("a field name is empty or too long") }
            if case .number(let number) = value, !number.isFinite { throw refuse("\(field) is not a finite number") }
            if case .text(let text) = value, text.utf8.count > Check.maxTextLength {
                throw refuse("\(field) is longer than \(Check.maxTextLength) characters")
            }
            if field == EntityType.deletedField {
                guard value.bool != nil else { throw refuse("\(field) must be true or false") }
            } else if let kind = type?.kind(of: field), !kind.accepts(value) {
                throw refuse("\(field) has the wrong kind of value for a \(change.type)")
            }
        }
        for field in change.base.keys where field.isEmpty || field.utf8.count > 64 {
            throw refuse("a base field name is empty or too long")
        }
    }

    static func isSiteID(_ text: String) -> Bool {
        let bytes = text.utf8
        return !bytes.isEmpty && bytes.count <= 64
            && bytes.allSatisfy { byte in
                (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57)
                    || byte == 46 || byte == 95 || byte == 45
            }
    }
}
