//! `graph_nodes` and the typed, weighted, directed `graph_edges` between them.

use memdb_migration::dialect::{add_json_checks, bytewise};
use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_index, create_table, drop_tables};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum GraphNodes {
    Table,
    Id,
    Kind,
    Key,
    Properties,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum GraphEdges {
    Table,
    Id,
    SourceId,
    TargetId,
    Relation,
    Weight,
    Properties,
    CreatedAt,
}

/// The largest edge weight, as of this migration: any sum of ten weights (the deepest path a
/// query follows) stays finite, where PostgreSQL would fail on overflow and SQLite would give
/// infinity. The CHECK also keeps NaN out of PostgreSQL, where `'NaN' >= 0` holds.
const MAX_WEIGHT: &str = "1e300";

/// An edge from `from` to the node it names, deleted with that node.
fn node_reference(name: &str, from: GraphEdges) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(GraphEdges::Table, from)
        .to(GraphNodes::Table, GraphNodes::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .on_update(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut nodes = Table::create()
            .table(GraphNodes::Table)
            .col(pk_uuid(GraphNodes::Id))
            .col(bytewise(backend, string_len(GraphNodes::Kind, 64)))
            .col(bytewise(backend, string_len(GraphNodes::Key, 512)))
            .col(json_binary(GraphNodes::Properties))
            .col(timestamp_with_time_zone(GraphNodes::CreatedAt))
            .col(timestamp_with_time_zone(GraphNodes::UpdatedAt))
            .to_owned();
        add_json_checks(backend, &mut nodes, "graph_nodes", &["properties"]);
        create_table(manager, "graph_nodes", nodes).await?;
        // A node is named by its key within its kind: what upserts find it by.
        create_index(
            manager,
            "graph_nodes",
            Index::create()
                .name("ux_graph_nodes_kind_key")
                .table(GraphNodes::Table)
                .col(GraphNodes::Kind)
                .col(GraphNodes::Key)
                .unique()
                .to_owned(),
        )
        .await?;

        let mut edges = Table::create()
            .table(GraphEdges::Table)
            .col(pk_uuid(GraphEdges::Id))
            .col(uuid(GraphEdges::SourceId))
            .col(uuid(GraphEdges::TargetId))
            .col(bytewise(backend, string_len(GraphEdges::Relation, 64)))
            .col(double(GraphEdges::Weight))
            .col(json_binary(GraphEdges::Properties))
            .col(timestamp_with_time_zone(GraphEdges::CreatedAt))
            .foreign_key(&mut node_reference(
                "fk_graph_edges_source",
                GraphEdges::SourceId,
            ))
            .foreign_key(&mut node_reference(
                "fk_graph_edges_target",
                GraphEdges::TargetId,
            ))
            .check(Check::named(
                "ck_graph_edges_no_self_loop",
                Expr::col(GraphEdges::SourceId).ne(Expr::col(GraphEdges::TargetId)),
            ))
            .check(Check::named(
                "ck_graph_edges_weight",
                Expr::cust(format!("\"weight\" >= 0 AND \"weight\" <= {MAX_WEIGHT}")),
            ))
            .to_owned();
        add_json_checks(backend, &mut edges, "graph_edges", &["properties"]);
        create_table(manager, "graph_edges", edges).await?;

        // The same triple, unique, led by each end: a node's outgoing and incoming edges by
        // relation, then by the node at the other end (the order neighbour pages come in and
        // the lookup every traversal step makes), and the index each foreign key's cascade
        // needs. Both are unique so SQLite knows one row per (end, relation, other end) and
        // can merge the two directions' pages without sorting.
        let indexes: [(&str, [GraphEdges; 3]); 2] = [
            (
                "ux_graph_edges_source_relation_target",
                [
                    GraphEdges::SourceId,
                    GraphEdges::Relation,
                    GraphEdges::TargetId,
                ],
            ),
            (
                "ux_graph_edges_target_relation_source",
                [
                    GraphEdges::TargetId,
                    GraphEdges::Relation,
                    GraphEdges::SourceId,
                ],
            ),
        ];
        for (name, columns) in indexes {
            let mut index = Index::create()
                .name(name)
                .table(GraphEdges::Table)
                .unique()
                .to_owned();
            for column in columns {
                index.col(column);
            }
            create_index(manager, "graph_edges", index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["graph_edges", "graph_nodes"]).await
    }
}
