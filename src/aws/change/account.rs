//! Account Management: set an alternate contact.

use aws_sdk_account::types::AlternateContactType;

use crate::aws::{At, Aws, AwsError, error::classify};

/// `fields` are kind, name, title, email, phone. `own` omits AccountId, which AWS rejects for the
/// management account's own contacts.
pub async fn put_alternate_contact(
    aws: &Aws,
    at: &At,
    account: &str,
    own: bool,
    fields: [&String; 5],
) -> Result<(), AwsError> {
    let [kind, name, title, email, phone] = fields;
    let mut req = aws
        .client(at, aws_sdk_account::Client::new)
        .put_alternate_contact()
        .alternate_contact_type(AlternateContactType::from(kind.as_str()))
        .name(name)
        .title(title)
        .email_address(email)
        .phone_number(phone);
    if !own {
        req = req.account_id(account);
    }
    req.send().await.map_err(|e| classify(&e, "account:PutAlternateContact", account, None))?;
    Ok(())
}
