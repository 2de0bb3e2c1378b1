//! [`AgentRepository`] on SeaORM.

use async_trait::async_trait;
use memdb_enhanced_entity::agents::{self, Column};
use memdb_repository::query::{convert_all, get_by_id, insert_isolated};
use memdb_repository::{
    ConflictKind, Executor, Page, RepoError, RepoResult, Violation, now, stored_enum, utc,
    validate, violation,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set};

use super::{Agent, AgentFilter, AgentPage, AgentRepository, AgentState, NewAgent};
use crate::ids::AgentId;
use crate::limits;
use crate::owners::missing_owner;

const ENTITY: &str = "agent";

memdb_repository::sea_orm_repository! {
    /// [`AgentRepository`] on SeaORM.
    SeaOrmAgentRepository
}

impl TryFrom<agents::Model> for Agent {
    type Error = RepoError;

    fn try_from(m: agents::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id.into(),
            name: m.name,
            specialization: m.specialization,
            task_id: m.task_id.map(Into::into),
            session_id: m.session_id,
            state: stored_enum("agent state", &m.state)?,
            model: m.model,
            spawned_at: utc(m.spawned_at),
            updated_at: utc(m.updated_at),
            terminated_at: m.terminated_at.map(utc),
        })
    }
}

#[async_trait]
impl<C: Executor> AgentRepository for SeaOrmAgentRepository<C> {
    async fn spawn(&self, input: NewAgent) -> RepoResult<Agent> {
        let name = validate::name("name", &input.name, limits::AGENT_NAME)?;
        let specialization = validate::name(
            "specialization",
            &input.specialization,
            limits::AGENT_SPECIALIZATION,
        )?;
        let model = validate::key("model", &input.model, limits::AGENT_MODEL)?;
        let task_id = input.task_id.map(|id| id.as_uuid());
        let at = now();
        let agent = agents::ActiveModel {
            id: Set(AgentId::new().into()),
            name: Set(name),
            specialization: Set(specialization),
            task_id: Set(task_id),
            session_id: Set(input.session_id),
            state: Set(AgentState::Spawning.as_str().to_owned()),
            model: Set(model),
            spawned_at: Set(at),
            updated_at: Set(at),
            terminated_at: Set(None),
        };
        // In a savepoint of its own: after a foreign-key failure the lookups that name the
        // missing owner still run inside a caller's unit of work.
        match insert_isolated(&self.db, agent).await? {
            Ok(model) => model.try_into(),
            Err(err) => Err(match violation(&err) {
                Some(Violation::ForeignKey(_)) => {
                    missing_owner(&self.db, ENTITY, task_id, input.session_id).await
                }
                _ => err.into(),
            }),
        }
    }

    async fn get(&self, id: AgentId) -> RepoResult<Agent> {
        get_by_id::<agents::Entity, _>(&self.db, ENTITY, id).await
    }

    async fn transition(&self, id: AgentId, next: AgentState) -> RepoResult<Agent> {
        let from = next.reachable_from();
        if from.is_empty() {
            return Err(RepoError::invalid(
                "state",
                format!("no transition leads to {next}: agents are {next} only when spawned"),
            ));
        }
        let at = now();
        let mut update = agents::Entity::update_many()
            .col_expr(Column::State, Expr::val(next))
            .col_expr(Column::UpdatedAt, Expr::val(at));
        if next.is_final() {
            update = update.col_expr(Column::TerminatedAt, Expr::val(at));
        }
        // The states the agent may come from are part of the UPDATE's condition: the database
        // checks and moves in one step, so of concurrent moves that exclude each other (two
        // callers taking an idle agent busy) the later ones find the first's state and change
        // nothing.
        let rows = update
            .filter(Column::Id.eq(id.as_uuid()))
            .filter(Column::State.is_in(from.iter().copied()))
            .exec_with_returning(&self.db)
            .await?;
        if let Some(row) = rows.into_iter().next() {
            return row.try_into();
        }
        // Nothing moved: tell a missing agent from one in a state that does not allow it.
        let current = self.get(id).await?;
        Err(RepoError::conflict(
            ConflictKind::WrongState,
            format!("agent {id} is {} and cannot become {next}", current.state),
        ))
    }

    async fn list(
        &self,
        filter: AgentFilter,
        after: Option<AgentId>,
        limit: u64,
    ) -> RepoResult<AgentPage> {
        // Checked like a page's limit.
        let limit = Page::new(limit, 0)?.limit();
        // Each filter has its index ending in `id`: the page is a range of it, in order.
        let select = match filter {
            AgentFilter::State(state) => agents::Entity::find().filter(Column::State.eq(state)),
            AgentFilter::Task(task) => {
                agents::Entity::find().filter(Column::TaskId.eq(task.as_uuid()))
            }
            AgentFilter::Session(session) => {
                agents::Entity::find().filter(Column::SessionId.eq(session))
            }
        };
        let rows = select
            .apply_if(after, |q, after| q.filter(Column::Id.gt(after.as_uuid())))
            .order_by_asc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let agents: Vec<Agent> = convert_all(rows)?;
        let full = u64::try_from(agents.len()).is_ok_and(|n| n == limit);
        let next = agents.last().filter(|_| full).map(|last| last.id);
        Ok(AgentPage { agents, next })
    }
}
