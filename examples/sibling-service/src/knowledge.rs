//! Every knowledge call: items, access statistics (`get` is an `UPDATE ... RETURNING`),
//! scores, and the relationships between items.

use anyhow::ensure;
use memdb_repository::knowledge::{
    Direction, EdgeDirection, KnowledgeItem, KnowledgeQuery, NeighbourQuery, NewKnowledge,
    NewRelationship, ScoreUpdate,
};
use memdb_repository::{ConflictKind, Page, Repositories};
use serde_json::json;

use crate::check::{Call as _, not_found};

/// Adds two items of a type of this run's own, reads, ranks, relates and deletes them.
pub(crate) async fn exercise(repos: &Repositories, run: &str) -> anyhow::Result<()> {
    let knowledge = &repos.knowledge;
    let kind = format!("sibling-{run}");
    let add = |content: &str, retention_score: f64| NewKnowledge {
        content: format!("{content} {run}"),
        source: "sibling-service".to_owned(),
        knowledge_type: kind.clone(),
        confidence_score: 0.5,
        retention_score,
        metadata: json!({}),
    };
    let fact = knowledge
        .add(add("a fact", 0.2))
        .await
        .call("knowledge.add")?;
    let support = knowledge
        .add(add("its support", 0.9))
        .await
        .call("knowledge.add")?;
    ensure!(
        fact.access_count == 0 && fact.last_accessed.is_none(),
        "new item {fact:?}"
    );

    let first = knowledge.get(fact.id).await.call("knowledge.get")?;
    let second = knowledge.get(fact.id).await.call("knowledge.get")?;
    ensure!(
        (first.access_count, second.access_count) == (1, 2) && second.last_accessed.is_some(),
        "knowledge.get counted accesses {} then {}",
        first.access_count,
        second.access_count
    );
    let peeked = knowledge.peek(fact.id).await.call("knowledge.peek")?;
    ensure!(
        peeked.access_count == 2,
        "knowledge.peek recorded an access: {peeked:?}"
    );

    let query = KnowledgeQuery {
        text: Some(run.to_owned()),
        knowledge_type: Some(kind.clone()),
    };
    let found = knowledge
        .search(query, Page::default())
        .await
        .call("knowledge.search")?;
    ensure!(
        ids(&found) == [support.id, fact.id],
        "knowledge.search returned {found:?}"
    );
    let top = knowledge
        .top_by_retention(1, Some(kind.clone()))
        .await
        .call("knowledge.top_by_retention")?;
    ensure!(
        ids(&top) == [support.id],
        "knowledge.top_by_retention returned {top:?}"
    );
    let rescored = knowledge
        .update_scores(
            fact.id,
            ScoreUpdate {
                confidence_score: Some(0.75),
                retention_score: None,
            },
        )
        .await
        .call("knowledge.update_scores")?;
    ensure!(
        (rescored.confidence_score - 0.75).abs() < f64::EPSILON && rescored.retention_score > 0.1,
        "knowledge.update_scores returned {rescored:?}"
    );

    relationships(repos, &fact, &support).await?;

    for item in [&fact, &support] {
        knowledge.delete(item.id).await.call("knowledge.delete")?;
        not_found("knowledge.peek after delete", knowledge.peek(item.id).await)?;
    }
    Ok(())
}

/// Relates `fact` to `support` and follows the edge both ways.
async fn relationships(
    repos: &Repositories,
    fact: &KnowledgeItem,
    support: &KnowledgeItem,
) -> anyhow::Result<()> {
    let knowledge = &repos.knowledge;
    let edge = NewRelationship {
        source_id: support.id,
        target_id: fact.id,
        relationship_type: "supports".to_owned(),
        strength: 0.8,
    };
    let related = knowledge
        .relate(edge.clone())
        .await
        .call("knowledge.relate")?;
    ensure!(
        related.source_id == support.id && related.target_id == fact.id,
        "knowledge.relate returned {related:?}"
    );
    match knowledge.relate(edge).await {
        Err(err) if err.conflict_kind() == Some(ConflictKind::Duplicate) => {}
        other => anyhow::bail!("knowledge.relate twice: expected Conflict, got {other:?}"),
    }
    let outgoing = NeighbourQuery {
        relationship_type: Some("supports".to_owned()),
        direction: Direction::Outgoing,
    };
    let from_support = knowledge
        .neighbours(support.id, outgoing, Page::default())
        .await
        .call("knowledge.neighbours")?;
    ensure!(
        from_support.len() == 1
            && from_support[0].item.id == fact.id
            && from_support[0].direction == EdgeDirection::Outgoing,
        "knowledge.neighbours (outgoing) returned {from_support:?}"
    );
    let into_fact = knowledge
        .neighbours(fact.id, NeighbourQuery::default(), Page::default())
        .await
        .call("knowledge.neighbours")?;
    ensure!(
        into_fact.len() == 1
            && into_fact[0].item.id == support.id
            && into_fact[0].direction == EdgeDirection::Incoming,
        "knowledge.neighbours (both) returned {into_fact:?}"
    );
    Ok(())
}

fn ids(items: &[KnowledgeItem]) -> Vec<memdb_repository::KnowledgeId> {
    items.iter().map(|item| item.id).collect()
}
