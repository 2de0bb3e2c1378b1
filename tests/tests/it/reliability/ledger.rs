//! What concurrent writers were told succeeded, and the check that the database holds exactly
//! that: every acknowledged write present, nothing else.

use std::collections::{BTreeMap, BTreeSet};

use memdb_entity::{
    documents, knowledge_items, knowledge_relationships, organizations, personas, tasks,
};
use memdb_repository::sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

/// Acknowledged writes, by table, as the writer expects to find them afterwards.
#[derive(Debug, Default)]
pub(super) struct Ledger {
    /// Organization id -> slug.
    pub(super) organizations: BTreeMap<Uuid, String>,
    /// Document id -> its current content (deleted documents are removed).
    pub(super) documents: BTreeMap<Uuid, String>,
    /// Knowledge id -> how many times `get` recorded an access.
    pub(super) knowledge: BTreeMap<Uuid, i64>,
    /// (source, target, type) of every edge.
    pub(super) relationships: BTreeSet<(Uuid, Uuid, String)>,
    /// Task id -> expected status.
    pub(super) tasks: BTreeMap<Uuid, &'static str>,
    /// Persona id -> (version, description).
    pub(super) personas: BTreeMap<Uuid, (i32, String)>,
}

impl Ledger {
    /// Adds another writer's ledger; writers touch only their own rows, so keys never clash.
    pub(super) fn merge(&mut self, other: Self) {
        self.organizations.extend(other.organizations);
        self.documents.extend(other.documents);
        self.knowledge.extend(other.knowledge);
        self.relationships.extend(other.relationships);
        self.tasks.extend(other.tasks);
        self.personas.extend(other.personas);
    }

    /// How many rows the ledger expects in all.
    pub(super) fn rows(&self) -> usize {
        self.organizations.len()
            + self.documents.len()
            + self.knowledge.len()
            + self.relationships.len()
            + self.tasks.len()
            + self.personas.len()
    }

    /// What the database holds, in the ledger's terms.
    pub(super) async fn read(db: &DatabaseConnection) -> Self {
        let mut found = Self::default();
        for row in organizations::Entity::find().all(db).await.unwrap() {
            found.organizations.insert(row.id, row.slug);
        }
        for row in documents::Entity::find().all(db).await.unwrap() {
            found.documents.insert(row.id, row.content);
        }
        for row in knowledge_items::Entity::find().all(db).await.unwrap() {
            found.knowledge.insert(row.id, row.access_count);
        }
        for row in knowledge_relationships::Entity::find()
            .all(db)
            .await
            .unwrap()
        {
            found
                .relationships
                .insert((row.source_id, row.target_id, row.relationship_type));
        }
        for row in tasks::Entity::find().all(db).await.unwrap() {
            let status = match row.status.as_str() {
                "ready" => "ready",
                "completed" => "completed",
                other => panic!("task {} in unexpected status {other}", row.id),
            };
            found.tasks.insert(row.id, status);
        }
        for row in personas::Entity::find().all(db).await.unwrap() {
            found
                .personas
                .insert(row.id, (row.version, row.description));
        }
        found
    }

    /// Panics, naming the first difference per table, unless `found` equals `self` exactly.
    pub(super) fn assert_matches(&self, found: &Self) {
        same("organizations", &self.organizations, &found.organizations);
        same("documents", &self.documents, &found.documents);
        same("knowledge", &self.knowledge, &found.knowledge);
        assert_eq!(
            self.relationships
                .symmetric_difference(&found.relationships)
                .next(),
            None,
            "relationships: acknowledged {} found {}",
            self.relationships.len(),
            found.relationships.len()
        );
        same("tasks", &self.tasks, &found.tasks);
        same("personas", &self.personas, &found.personas);
    }
}

fn same<V: PartialEq + std::fmt::Debug>(
    table: &str,
    acknowledged: &BTreeMap<Uuid, V>,
    found: &BTreeMap<Uuid, V>,
) {
    for (id, value) in acknowledged {
        assert_eq!(
            found.get(id),
            Some(value),
            "{table}: acknowledged row {id} missing or different"
        );
    }
    if let Some(extra) = found.keys().find(|id| !acknowledged.contains_key(id)) {
        panic!("{table}: row {extra} was never acknowledged");
    }
}
