//! Account Management: set an alternate contact.

use aws_sdk_account::types::AlternateContactType;

use crate::aws::{At, Aws, AwsError, error::classify};

/// `fields` are kind, name, title, email, phone. Always called with the caller's own credentials
/// (`at` is the caller's account): `own` omits AccountId, which AWS rejects for the management
/// account's own contacts; otherwise AccountId names the member, as only the management account
/// (or Account Management's delegated administrator) may.
pub async fn put_alternate_contact(
    aws: &Aws,
    at: &At,
    account: &str,
    own: bool,
    fields: [&String; 5],
) -> Result<(), AwsError> {
    let [kind, name, title, email, phone] = fields;
    // Never a member's assumed role: inside a member, AccountId is refused (AccessDenied).
    // Paced as the caller's (AWS's limits are the calling account's); an error names the account.
    let from = At::new(aws.caller(), &at.region);
    let client = aws.client(&from, aws_sdk_account::Client::new);
    let target = (!own && account != aws.caller()).then(|| account.to_owned());
    aws.send("account:PutAlternateContact", &from, || {
        client
            .put_alternate_contact()
            .alternate_contact_type(AlternateContactType::from(kind.as_str()))
            .name(name)
            .title(title)
            .email_address(email)
            .phone_number(phone)
            .set_account_id(target.clone())
            .send()
    })
    .await
    .map_err(|e| classify(&e, "account:PutAlternateContact", account, None))?;
    Ok(())
}
