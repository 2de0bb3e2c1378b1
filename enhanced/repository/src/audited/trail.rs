//! [`AuditTrail`]: who an audited repository acts for and where its audit entries go, and
//! [`Change`], the entry one audited call writes.

use std::fmt::Display;
use std::sync::Arc;

use memdb_repository::{RepoError, RepoResult, SharedTransaction, validate};
use serde::Serialize;

use crate::audit::{AuditAction, AuditRepository, NewAuditEntry, SeaOrmAuditRepository};
use crate::limits;

/// Builds the audit repository an audited change writes its entry through, on the change's own
/// transaction. The default writes to `audit_log` ([`SeaOrmAuditRepository`]); another sink can
/// send entries elsewhere too, and whatever it returns as an error rolls the change back.
pub type AuditSink = Arc<dyn Fn(SharedTransaction) -> Arc<dyn AuditRepository> + Send + Sync>;

/// The actor audited repositories act for, and the sink their entries go to. Cloning shares
/// both.
#[derive(Clone)]
pub struct AuditTrail {
    actor: Arc<str>,
    sink: AuditSink,
}

impl AuditTrail {
    /// Entries by `actor` (1 to 200 characters after trimming, with a visible character; kept
    /// trimmed and in Unicode NFC), written to `audit_log`.
    ///
    /// # Errors
    /// `Validation` (field `actor`) for a bad actor name: checked here, before any change is
    /// made on its behalf.
    pub fn new(actor: &str) -> RepoResult<Self> {
        let actor = validate::name("actor", actor, limits::AUDIT_ACTOR)?;
        Ok(Self {
            actor: actor.into(),
            sink: Arc::new(|tx| Arc::new(SeaOrmAuditRepository::new(tx))),
        })
    }

    /// The same actor, its entries written through `sink` instead.
    #[must_use]
    pub fn with_sink(
        self,
        sink: impl Fn(SharedTransaction) -> Arc<dyn AuditRepository> + Send + Sync + 'static,
    ) -> Self {
        Self {
            sink: Arc::new(sink),
            ..self
        }
    }

    /// Who the entries name.
    #[must_use]
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Appends `changes` as this trail's actor, on `tx`, in one call to the sink: `append` for
    /// one change, `append_many` (one multi-row insert) for a batch, nothing for none.
    pub(crate) async fn record(
        &self,
        tx: SharedTransaction,
        changes: Vec<Change>,
    ) -> RepoResult<()> {
        let mut entries: Vec<NewAuditEntry> = changes
            .into_iter()
            .map(|change| self.entry(change))
            .collect();
        match entries.len() {
            0 => Ok(()),
            1 => {
                let entry = entries.remove(0);
                (self.sink)(tx).append(entry).await.map(drop)
            }
            _ => (self.sink)(tx).append_many(entries).await.map(drop),
        }
    }

    /// The entry `change` makes, as this trail's actor.
    fn entry(&self, change: Change) -> NewAuditEntry {
        NewAuditEntry {
            actor: self.actor.to_string(),
            action: change.action,
            entity: change.entity.to_owned(),
            entity_id: change.entity_id,
            before: change.before,
            after: change.after,
        }
    }
}

impl std::fmt::Debug for AuditTrail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditTrail")
            .field("actor", &self.actor)
            .finish_non_exhaustive()
    }
}

/// What one audited call did to one row: the audit entry it writes, without the actor.
#[derive(Debug)]
pub(crate) struct Change {
    action: AuditAction,
    entity: &'static str,
    entity_id: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

impl Change {
    /// `entity` `id` was created as `after`.
    pub(crate) fn created(
        entity: &'static str,
        id: impl Display,
        after: &impl Serialize,
    ) -> RepoResult<Self> {
        Ok(Self::new(
            AuditAction::Create,
            entity,
            id,
            None,
            Some(image(entity, after)?),
        ))
    }

    /// `entity` `id` went from `before` to `after`.
    pub(crate) fn updated(
        entity: &'static str,
        id: impl Display,
        before: &impl Serialize,
        after: &impl Serialize,
    ) -> RepoResult<Self> {
        let before = Some(image(entity, before)?);
        Ok(Self::new(
            AuditAction::Update,
            entity,
            id,
            before,
            Some(image(entity, after)?),
        ))
    }

    /// `entity` `id` changed to `after` from a state the caller could not see before (a task
    /// claim or a timeout sweep picks its rows itself).
    pub(crate) fn updated_unseen(
        entity: &'static str,
        id: impl Display,
        after: &impl Serialize,
    ) -> RepoResult<Self> {
        Ok(Self::new(
            AuditAction::Update,
            entity,
            id,
            None,
            Some(image(entity, after)?),
        ))
    }

    /// `entity` `id`, which was `before`, was deleted.
    pub(crate) fn deleted(
        entity: &'static str,
        id: impl Display,
        before: &impl Serialize,
    ) -> RepoResult<Self> {
        Ok(Self::new(
            AuditAction::Delete,
            entity,
            id,
            Some(image(entity, before)?),
            None,
        ))
    }

    fn new(
        action: AuditAction,
        entity: &'static str,
        id: impl Display,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Self {
        Self {
            action,
            entity,
            entity_id: id.to_string(),
            before,
            after,
        }
    }
}

/// A domain value as the JSON image an audit entry stores.
fn image(entity: &'static str, value: &impl Serialize) -> RepoResult<serde_json::Value> {
    // The domain types serialise without fail (plain fields, string keys); an error here would
    // mean a type that cannot be audited, reported rather than panicking.
    serde_json::to_value(value).map_err(|err| {
        RepoError::invalid(
            "audit image",
            format!("cannot serialise the {entity}: {err}"),
        )
    })
}
