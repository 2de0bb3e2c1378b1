//! Session state keys and the changes written to them.
//!
//! A key names its scope by a prefix, parsed once when it is written:
//! - `app:<name>`: shared by every session of the app, stored in `app_state_entries`;
//! - `user:<name>`: shared by the user's sessions in the app, stored in `user_state_entries`;
//! - `temp:<name>`: accepted and never stored;
//! - `<name>` without a `:`: the session's own, stored in the session's `state` object.
//!
//! Any other prefix, an empty or blank name, NUL, or a name over
//! [`SESSION_STATE_KEY`](crate::limits::SESSION_STATE_KEY) characters is a `Validation` error
//! (field `state key`).

use std::collections::BTreeMap;

use memdb_repository::{RepoError, RepoResult, validate};

use crate::limits;

/// A state key, by scope.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StateKey {
    /// `app:<name>`.
    App(String),
    /// `user:<name>`.
    User(String),
    /// A key without prefix.
    Session(String),
    /// `temp:<name>`, never stored.
    Temp,
}

impl StateKey {
    /// `key` parsed (see the [module docs](self)).
    ///
    /// # Errors
    /// `Validation` (field `state key`) for an unknown prefix or a bad name.
    pub fn parse(key: &str) -> RepoResult<Self> {
        const FIELD: &str = "state key";
        let (scope, name) = match key.split_once(':') {
            None => (None, key),
            Some((scope, name)) => (Some(scope), name),
        };
        let name = validate::non_empty(FIELD, name, limits::SESSION_STATE_KEY)?.to_owned();
        match scope {
            None => Ok(Self::Session(name)),
            Some("app") => Ok(Self::App(name)),
            Some("user") => Ok(Self::User(name)),
            Some("temp") => Ok(Self::Temp),
            Some(other) => Err(RepoError::invalid(
                FIELD,
                format!(
                    "{:?} has the unknown scope {:?}; scopes are app:, user:, temp: or none",
                    key.chars().take(80).collect::<String>(),
                    other.chars().take(80).collect::<String>()
                ),
            )),
        }
    }
}

/// Changes to state keys: each key set to a JSON value or removed; the last change of a key
/// wins. Keys are checked when the delta is written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateDelta {
    changes: BTreeMap<String, Option<serde_json::Value>>,
}

impl StateDelta {
    /// No changes.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`.
    #[must_use]
    pub fn set(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.changes.insert(key.into(), Some(value));
        self
    }

    /// Removes `key`.
    #[must_use]
    pub fn remove(mut self, key: impl Into<String>) -> Self {
        self.changes.insert(key.into(), None);
        self
    }

    /// Whether it changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes by scope, checked; `temp:` keys dropped.
    pub(super) fn checked(self) -> RepoResult<CheckedDelta> {
        let mut out = CheckedDelta::default();
        for (key, value) in self.changes {
            let value = value
                .map(|v| validate::json_value("state value", v))
                .transpose()?;
            match StateKey::parse(&key)? {
                StateKey::App(name) => out.app.push((name, value)),
                StateKey::User(name) => out.user.push((name, value)),
                StateKey::Session(name) => out.session.push((name, value)),
                StateKey::Temp => {}
            }
        }
        Ok(out)
    }

    /// The delta as a JSON object for the audit log: removed keys as `null`.
    pub(super) fn image(&self) -> serde_json::Value {
        self.changes
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().unwrap_or(serde_json::Value::Null)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
}

/// One scope's changes: a name and its new value, `None` to remove it.
pub(super) type ScopeChanges = Vec<(String, Option<serde_json::Value>)>;

/// A checked delta by scope.
#[derive(Clone, Debug, Default)]
pub(super) struct CheckedDelta {
    pub(super) app: ScopeChanges,
    pub(super) user: ScopeChanges,
    pub(super) session: ScopeChanges,
}

impl CheckedDelta {
    /// `state` (the session's own object) with the session changes applied.
    pub(super) fn apply_session(&self, state: &serde_json::Value) -> serde_json::Value {
        let mut map = state.as_object().cloned().unwrap_or_default();
        for (name, value) in &self.session {
            match value {
                Some(v) => {
                    map.insert(name.clone(), v.clone());
                }
                None => {
                    map.remove(name);
                }
            }
        }
        map.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_scope() {
        assert_eq!(StateKey::parse("a").unwrap(), StateKey::Session("a".into()));
        assert_eq!(StateKey::parse("app:a").unwrap(), StateKey::App("a".into()));
        assert_eq!(
            StateKey::parse("user:a:b").unwrap(),
            StateKey::User("a:b".into())
        );
        assert_eq!(StateKey::parse("temp:x").unwrap(), StateKey::Temp);
        assert!(StateKey::parse("other:a").is_err());
        assert!(StateKey::parse("app:").is_err());
        assert!(StateKey::parse("").is_err());
        assert!(StateKey::parse(&"k".repeat(limits::SESSION_STATE_KEY)).is_ok());
        assert!(StateKey::parse(&"k".repeat(limits::SESSION_STATE_KEY + 1)).is_err());
    }
}
