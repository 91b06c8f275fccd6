//! Account Management: alternate contacts.

use aws_sdk_account::types::AlternateContactType;

use super::{At, Aws, AwsError, error::classify};

/// The three alternate contacts the lab asks for, in the order people read them.
pub const CONTACT_TYPES: [&str; 3] = ["SECURITY", "BILLING", "OPERATIONS"];

/// Whether one alternate contact is set (and to which address). `own` is true for the caller's own
/// account, which must not pass its own id (AWS rejects that from the management account).
pub async fn alternate_contact(aws: &Aws, at: &At, kind: &str, own: bool) -> Result<Option<String>, AwsError> {
    // Paced as the caller's: AWS's limits are the calling account's.
    let from = At::new(aws.caller(), &at.region);
    let client = aws.client(&from, aws_sdk_account::Client::new);
    let answer = aws
        .send("account:GetAlternateContact", &from, || {
            client
                .get_alternate_contact()
                .alternate_contact_type(AlternateContactType::from(kind))
                .set_account_id((!own).then(|| at.account.clone()))
                .send()
        })
        .await;
    match answer {
        Ok(out) => Ok(Some(out.alternate_contact().and_then(|c| c.email_address()).unwrap_or_default().to_owned())),
        Err(e) if e.as_service_error().is_some_and(aws_sdk_account::operation::get_alternate_contact::GetAlternateContactError::is_resource_not_found_exception) => Ok(None),
        Err(e) => Err(classify(&e, "account:GetAlternateContact", &at.account, None)),
    }
}
