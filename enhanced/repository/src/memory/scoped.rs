//! [`ScopedMemory`]: memory entries as one user may see them.

use async_trait::async_trait;
use memdb_repository::bulk::in_batch;
use memdb_repository::{Page, RepoError, RepoResult};

use super::namespace::{self, within};
use super::{MemoryCursor, MemoryEntry, MemoryPage, MemoryRepository, PutMemory};

/// The namespace root every user may read.
pub const APP_ROOT: &str = "app";
/// The namespace root under which each user has `user:<id>`.
pub const USER_ROOT: &str = "user";

/// A [`MemoryRepository`] limited to one user: it reads and writes `user:<id>` and the
/// namespaces below it, and reads `app` and the namespaces below it. Any other namespace or
/// listing prefix (`user`, `user:<someone else>`, `user:<id>x`) is refused with a
/// `Validation` error of field `namespace` (or `prefix`) before anything is read or written;
/// so is sweeping, which is not a user's business. The check is on whole segments, so user
/// `alice` never reaches `user:alice2`.
#[derive(Clone, Debug)]
pub struct ScopedMemory<R> {
    inner: R,
    home: String,
}

impl<R: MemoryRepository> ScopedMemory<R> {
    /// `inner` limited to user `user_id`.
    ///
    /// # Errors
    /// `Validation` (field `user_id`) when `user_id` is not one valid namespace segment.
    pub fn new(inner: R, user_id: &str) -> RepoResult<Self> {
        let home = format!("{USER_ROOT}:{user_id}");
        let valid =
            !user_id.contains(namespace::SEPARATOR) && namespace::check("user_id", &home).is_ok();
        if !valid {
            return Err(RepoError::invalid(
                "user_id",
                "must be one namespace segment: printable ASCII except `:` and `/`",
            ));
        }
        Ok(Self { inner, home })
    }

    /// The user's own namespace, `user:<id>`.
    #[must_use]
    pub fn home(&self) -> &str {
        &self.home
    }

    fn writable(&self, field: &'static str, ns: &str) -> RepoResult<()> {
        if within(ns, &self.home) {
            Ok(())
        } else {
            Err(RepoError::invalid(
                field,
                format!(
                    "{ns:?} is outside {:?}, the namespaces this handle writes",
                    self.home
                ),
            ))
        }
    }

    fn readable(&self, field: &'static str, ns: &str) -> RepoResult<()> {
        if within(ns, APP_ROOT) {
            Ok(())
        } else {
            self.writable(field, ns)
        }
    }
}

#[async_trait]
impl<R: MemoryRepository> MemoryRepository for ScopedMemory<R> {
    async fn put(&self, input: PutMemory) -> RepoResult<MemoryEntry> {
        self.writable("namespace", &input.namespace)?;
        self.inner.put(input).await
    }

    async fn put_many(&self, inputs: Vec<PutMemory>) -> RepoResult<Vec<MemoryEntry>> {
        for (index, input) in inputs.iter().enumerate() {
            self.writable("namespace", &input.namespace)
                .map_err(|err| in_batch(index, err))?;
        }
        self.inner.put_many(inputs).await
    }

    async fn get(&self, ns: &str, key: &str) -> RepoResult<Option<MemoryEntry>> {
        self.readable("namespace", ns)?;
        self.inner.get(ns, key).await
    }

    async fn get_version(
        &self,
        ns: &str,
        key: &str,
        version: u32,
    ) -> RepoResult<Option<MemoryEntry>> {
        self.readable("namespace", ns)?;
        self.inner.get_version(ns, key, version).await
    }

    async fn history(&self, ns: &str, key: &str, page: Page) -> RepoResult<Vec<MemoryEntry>> {
        self.readable("namespace", ns)?;
        self.inner.history(ns, key, page).await
    }

    async fn restore(&self, ns: &str, key: &str, version: u32) -> RepoResult<MemoryEntry> {
        self.writable("namespace", ns)?;
        self.inner.restore(ns, key, version).await
    }

    async fn delete(&self, ns: &str, key: &str) -> RepoResult<MemoryEntry> {
        self.writable("namespace", ns)?;
        self.inner.delete(ns, key).await
    }

    async fn undelete(&self, ns: &str, key: &str) -> RepoResult<MemoryEntry> {
        self.writable("namespace", ns)?;
        self.inner.undelete(ns, key).await
    }

    async fn purge(&self, ns: &str, key: &str) -> RepoResult<u64> {
        self.writable("namespace", ns)?;
        self.inner.purge(ns, key).await
    }

    async fn list(
        &self,
        prefix: &str,
        after: Option<MemoryCursor>,
        limit: u64,
    ) -> RepoResult<MemoryPage> {
        self.readable("prefix", prefix)?;
        self.inner.list(prefix, after, limit).await
    }

    async fn sweep_expired(&self, _batch: u64) -> RepoResult<u64> {
        Err(RepoError::invalid(
            "scope",
            "a user-scoped handle cannot sweep expired entries",
        ))
    }
}
