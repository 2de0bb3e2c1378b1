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
use memdb_repository::{OrganizationId, Repositories, redact_url};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(backend) => {
            println!("sibling-service: every repository works on {backend}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("sibling-service: FAILED: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<String> {
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .context("set DATABASE_URL to a database made by `memdb init`")?;
    let repos = Repositories::connect(&url)
        .await
        .with_context(|| format!("connecting to {}", redact_url(&url)))?;
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
    knowledge::exercise(&repos, &run).await?;
    tasks::exercise(&repos, &run).await?;
    personas::exercise(&repos, &run).await?;

    Ok(format!("{backend:?}"))
}
