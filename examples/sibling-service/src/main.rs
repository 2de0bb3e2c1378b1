//! A sibling service's smoke run: connects to `DATABASE_URL` (a database made by `memdb init`;
//! this crate never migrates) and calls every memdb repository on it, checking what comes back.
//! Exits non-zero with the failing call and memdb's error on the first thing that goes wrong.
//!
//! Every name it writes carries a fresh run id and everything it creates that can be deleted is
//! deleted again, so it runs any number of times on the same database.

mod check;
mod documents;
mod knowledge;
mod organizations;
mod personas;
mod tasks;

use std::process::ExitCode;

use anyhow::Context as _;
use memdb_repository::{OrganizationId, Repositories};

use crate::check::Call as _;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(backend) => {
            println!("sibling-service: every repository works on {backend}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            // Each failure message is complete (see `check::Call`): no cause chain to print.
            eprintln!("sibling-service: FAILED: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<String> {
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .context("set DATABASE_URL to a database made by `memdb init`")?;
    // RepoError::Connect shows the URL with its password redacted.
    let repos = Repositories::connect(&url)
        .await
        .call("Repositories::connect")?;
    let backend = repos.connection().get_database_backend();
    // Without RETURNING, SeaORM follows every insert with a SELECT and refuses the
    // `UPDATE ... RETURNING` that updates and `knowledge.get` run.
    anyhow::ensure!(
        backend.support_returning(),
        "memdb-repository's SeaORM has no RETURNING on {backend:?} \
         (SeaORM feature sqlite-use-returning-for-3_35 missing)"
    );
    // Lowercase hex: fits every label, slug and name rule of the repositories.
    let run = OrganizationId::new().as_uuid().simple().to_string();

    let organization = organizations::create(&repos, &run).await?;
    documents::exercise(&repos, organization, &run).await?;
    organizations::delete(&repos, organization).await?;
    organizations::unit_of_work(&repos, &run).await?;
    knowledge::exercise(&repos, &run).await?;
    tasks::exercise(&repos, &run).await?;
    personas::exercise(&repos, &run).await?;

    Ok(format!("{backend:?}"))
}
