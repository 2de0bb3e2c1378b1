//! What the graph's recursive statements spell differently per backend: the one place that
//! knows. A path is carried through the recursion as text, the ids of its nodes joined by
//! commas; the statements need an id's text, a substring test and a bytewise text order.

use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, ExprTrait, Func};

/// `id` (a UUID column) as fixed-width text without commas: SQLite stores UUIDs as 16-byte
/// blobs (`hex` gives 32 uppercase digits), PostgreSQL as `uuid` (its text is the hyphenated
/// lowercase form). Either way the digits keep the ids' byte order, so ordering paths by text
/// orders them by their sequences of ids, as on the other backend; and with fixed widths and a
/// separator no id can match across two others in [`contains`].
pub(super) fn id_text(backend: DbBackend, id: Expr) -> Expr {
    match backend {
        DbBackend::Postgres => id.cast_as("text"),
        _ => Func::cust("hex").arg(id).into(),
    }
}

/// Whether the text `haystack` contains `needle`.
pub(super) fn contains(backend: DbBackend, haystack: Expr, needle: Expr) -> Expr {
    let position = match backend {
        DbBackend::Postgres => Func::cust("strpos"),
        _ => Func::cust("instr"),
    };
    Expr::expr(position.arg(haystack).arg(needle)).gt(0)
}

/// `text`, compared by bytes: SQLite's default, PostgreSQL's `"C"` collation (the database's
/// own may be linguistic).
pub(super) fn bytewise(backend: DbBackend, text: Expr) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_expr("$1 COLLATE \"C\"", text),
        _ => text,
    }
}

/// `left || right`, text concatenation on every backend.
pub(super) fn concat(left: Expr, right: Expr) -> Expr {
    left.binary(sea_orm::sea_query::BinOper::Custom("||"), right)
}
