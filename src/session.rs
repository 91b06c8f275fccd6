//! Opening a command's session, one way for every command: the local store, the AWS session, the
//! account model read once, and this account's record. (The wizard opens in two halves instead, so
//! its first frame never waits on the network, but from the same parts.)

use crate::aws::Aws;
use crate::cli::Global;
use crate::facts::{self, Facts};
use crate::record::{Record, Store};

/// Everything a command needs once it knows who it is talking to.
pub struct Session {
    /// The session the account model calls for (see `Aws::bound`).
    pub aws: Aws,
    pub facts: Facts,
    pub store: Store,
    /// This account's record; a new one when it could not be read (`record_error` says why).
    pub record: Record,
    pub record_error: Option<String>,
}

/// Opens the store, loads the AWS configuration, reads the account model and loads the record.
/// Fails, with words for a person, only when nothing can be checked: no store, no configuration,
/// or no identity. A record set aside as unreadable is said on stderr.
pub async fn open(global: &Global, concurrency: u16) -> Result<Session, String> {
    let store = Store::open(global.state_dir.clone()).map_err(|e| e.to_string())?;
    let loaded = Aws::load(&global.settings(concurrency)).await?;
    let facts = facts::gather(&loaded).await.map_err(|e| e.explain_for(loaded.profile()))?;
    let aws = loaded.bound(&facts);
    let (record, record_error) = match store.load(&facts.identity.account) {
        Ok(l) => {
            if let Some(w) = l.warning {
                eprintln!("groundwork: {w}");
            }
            (l.record, None)
        }
        Err(e) => (Record::new(&facts.identity.account), Some(e.to_string())),
    };
    Ok(Session { aws, facts, store, record, record_error })
}
