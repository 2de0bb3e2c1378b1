//! What the plan check must know to judge a recursive statement (`WITH RECURSIVE`) fairly, on
//! each backend. The rest of the check reads a plan line by line and cannot tell on its own:
//!
//! - SQLite reports reading a common table expression's rows (the recursion's queue, or a
//!   materialised CTE) as `SCAN <cte>`, the same words as a full table scan. Those rows are
//!   the statement's own intermediate results, not a table, so a `SCAN` of a name the
//!   statement's `WITH` clause defines is not a full scan. Tables are still checked, however
//!   the statement names them.
//! - PostgreSQL estimates a recursion's working table instead of measuring it, and on test-size
//!   tables rightly prefers hashing a whole table (or reading a whole index, which
//!   `enable_seqscan = off` lets it do in place of a `Seq Scan`) to probing an index once per
//!   working-table row. That is not the plan it makes at production size, and it would hide a
//!   join that has no index to probe. So recursive statements are planned with hash and merge
//!   joins off, which asks for the nested loop a large graph gets, and in them an index scan
//!   without an `Index Cond` (one that reads the whole index) counts as a full scan.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend};

/// Whether `sql` is a recursive statement.
pub(super) fn is_recursive(sql: &str) -> bool {
    sql.trim_start()
        .get(..14)
        .is_some_and(|start| start.eq_ignore_ascii_case("WITH RECURSIVE"))
}

/// Plans `txn`'s next statement as a large graph would be (see the module docs).
pub(super) async fn plan_as_at_scale(txn: &DatabaseTransaction) {
    if txn.get_database_backend() == DbBackend::Postgres {
        for setting in ["enable_hashjoin", "enable_mergejoin"] {
            txn.execute_unprepared(&format!("SET LOCAL {setting} = off"))
                .await
                .expect("planner setting");
        }
    }
}

/// The names the `WITH` clause of `sql` defines (none for other statements): the quoted
/// identifiers outside every parenthesis before the main `SELECT`. (Column lists and the
/// expressions' own SQL are inside parentheses; memdb binds every value, so no string literal
/// can hold a quote or a parenthesis.)
pub(super) fn cte_names(sql: &str) -> Vec<String> {
    let sql = sql.trim_start();
    if !sql.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("WITH")) {
        return Vec::new();
    }
    let mut names = Vec::new();
    let mut depth = 0_usize;
    let mut rest = sql;
    while let Some(c) = rest.chars().next() {
        if depth == 0 && rest.starts_with("SELECT") {
            break;
        }
        rest = &rest[c.len_utf8()..];
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '"' => {
                let end = rest.find('"').unwrap_or(rest.len());
                if depth == 0 {
                    names.push(rest[..end].to_owned());
                }
                rest = rest.get(end + 1..).unwrap_or_default();
            }
            _ => {}
        }
    }
    names
}

/// Whether the SQLite plan line reads one of `ctes`, not a table.
pub(super) fn scans_cte(line: &str, ctes: &[String]) -> bool {
    line.strip_prefix("SCAN ")
        .is_some_and(|scanned| ctes.iter().any(|cte| scanned == cte))
}

/// PostgreSQL index scans in `plan` that have no `Index Cond` among their details: they read
/// the whole index.
pub(super) fn unbounded_index_scans(plan: &[String]) -> Vec<String> {
    plan.iter()
        .enumerate()
        .filter(|(_, line)| {
            [
                "Index Scan using",
                "Index Only Scan using",
                "Bitmap Index Scan on",
            ]
            .iter()
            .any(|scan| line.contains(scan))
        })
        .filter(|(at, _)| {
            // A node's details come before its children, which start with "->".
            !plan[at + 1..]
                .iter()
                .take_while(|detail| !detail.contains("->"))
                .any(|detail| detail.contains("Index Cond:"))
        })
        .map(|(_, line)| format!("{} (no Index Cond)", line.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cte_names_are_the_with_clauses_own() {
        let sql = r#"WITH RECURSIVE "reach" ("node_id", "depth") AS (SELECT "id", $1 FROM "graph_nodes" UNION (SELECT "x" FROM "reach")) , "nearest" ("node_id") AS (SELECT "node_id" FROM "reach") SELECT "graph_nodes"."id" FROM "nearest""#;
        assert_eq!(cte_names(sql), ["reach", "nearest"]);
        assert!(is_recursive(sql));
        assert!(cte_names(r#"SELECT "reach" FROM "t""#).is_empty());
        assert!(scans_cte("SCAN reach", &cte_names(sql)));
        assert!(!scans_cte("SCAN graph_edges", &cte_names(sql)));
    }

    #[test]
    fn index_scans_without_a_condition_read_everything() {
        let plan: Vec<String> = [
            "Nested Loop",
            "  ->  Index Scan using graph_nodes_pkey on graph_nodes n",
            "  ->  Bitmap Heap Scan on graph_edges e",
            "        Recheck Cond: (source_id = reach.node_id)",
            "        ->  Bitmap Index Scan on ux_graph_edges_source_relation_target",
            "              Index Cond: (source_id = reach.node_id)",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(
            unbounded_index_scans(&plan),
            ["->  Index Scan using graph_nodes_pkey on graph_nodes n (no Index Cond)"]
        );
    }
}
