//! What the graph's recursive statements need from the backend. A path is carried through the
//! recursion as text, the ids of its nodes joined by commas; the statements need an id's text
//! (fixed width, no commas, in the ids' byte order: no id can match across two others in
//! [`contains`], and ordering paths by text orders them by their sequences of ids on every
//! backend), a substring test and a bytewise text order. The per-backend spellings are in
//! [`memdb_repository::backend`].

pub(super) use memdb_repository::backend::{
    bytewise, text_contains as contains, uuid_text as id_text,
};
use sea_orm::sea_query::{Expr, ExprTrait};

/// `left || right`, text concatenation on every backend.
pub(super) fn concat(left: Expr, right: Expr) -> Expr {
    left.binary(sea_orm::sea_query::BinOper::Custom("||"), right)
}
