//! Account Management: alternate contacts.

use aws_sdk_account::types::AlternateContactType;

use super::{At, Aws, AwsError, error::classify};

/// The three alternate contacts the lab asks for, in the order people read them.
pub const CONTACT_TYPES: [&str; 3] = ["SECURITY", "BILLING", "OPERATIONS"];

/// Whether one alternate contact is set (and to which address). `own` is true for the caller's own
/// account, which must not pass its own id (AWS rejects that from the management account).
pub async fn alternate_contact(aws: &Aws, at: &At, kind: &str, own: bool) -> Result<Option<String>, AwsError> {
    let _slot = aws.permit().await;
    let mut req = aws
        .client(&At::new(aws.caller(), &at.region), aws_sdk_account::Client::new)
        .get_alternate_contact()
        .alternate_contact_type(AlternateContactType::from(kind));
    if !own {
        req = req.account_id(&at.account);
    }
    match req.send().await {
        Ok(out) => Ok(Some(out.alternate_contact().and_then(|c| c.email_address()).unwrap_or_default().to_owned())),
        Err(e) if e.as_service_error().is_some_and(aws_sdk_account::operation::get_alternate_contact::GetAlternateContactError::is_resource_not_found_exception) => Ok(None),
        Err(e) => Err(classify(&e, "account:GetAlternateContact", &at.account, None)),
    }
}
