//! SQLite test databases: files in a temporary directory, migrated ones copied from a template
//! file migrated once per migration fingerprint.

use std::io;
use std::path::{Path, PathBuf};

use tokio::sync::OnceCell;

use crate::{MIGRATIONS_FINGERPRINT, OTHER_TEMPLATES_KEPT, SetupError, migrate_all};

/// The template file, once this process has made sure it exists.
static TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();

/// The URL of the SQLite file at `path`, created when missing.
pub(crate) fn url_of(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// Copies the migrated template to `target`, building the template first when this process
/// has not seen it yet.
pub(crate) async fn copy_template_to(target: &Path) -> Result<(), SetupError> {
    let template = TEMPLATE.get_or_try_init(ensure_template).await?;
    match std::fs::copy(template, target) {
        Ok(_) => Ok(()),
        // Another checkout's run removed it as stale: build it again.
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            std::fs::copy(ensure_template().await?, target)?;
            Ok(())
        }
        Err(err) => Err(err.into()),
    }
}

/// Makes sure the template file exists and returns its path.
///
/// Processes that find it missing at the same time each build their own and move it into
/// place; a rename replaces the file atomically, so nobody ever copies a half-built one.
async fn ensure_template() -> Result<PathBuf, SetupError> {
    let dir = std::env::temp_dir().join("memdb-test-templates");
    let template = dir.join(format!("{MIGRATIONS_FINGERPRINT}.sqlite"));
    if template.exists() {
        return Ok(template);
    }
    std::fs::create_dir_all(&dir)?;
    // Built in a directory of its own beside the template (the same file system, so the
    // rename is atomic), removed with whatever a failed build leaves in it.
    let build_dir = tempfile::tempdir_in(&dir)?;
    let building = build_dir.path().join("template.sqlite");
    let db = memdb_repository::connect(&url_of(&building)).await?;
    let migrated = migrate_all(&db).await;
    // The pool runs in WAL mode: closing its last connection checkpoints the log into the
    // main file and deletes it, and only then is the main file alone the whole database.
    db.close().await?;
    migrated?;
    for leftover in ["-wal", "-shm"] {
        let mut path = building.clone().into_os_string();
        path.push(leftover);
        if Path::new(&path).exists() {
            return Err(format!(
                "closing the template's pool left {} behind, so the main file may lack \
                 committed changes",
                Path::new(&path).display()
            )
            .into());
        }
    }
    remove_other_templates(&dir, &template)?;
    std::fs::rename(&building, &template)?;
    Ok(template)
}

/// Removes the template files of other fingerprints except the newest few.
fn remove_other_templates(dir: &Path, keep: &Path) -> io::Result<()> {
    let mut others = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path == keep || path.extension().is_none_or(|ext| ext != "sqlite") {
            continue;
        }
        // A file another process removed meanwhile has no time to sort by, and needs no removal.
        if let Ok(modified) = std::fs::metadata(&path).and_then(|meta| meta.modified()) {
            others.push((modified, path));
        }
    }
    others.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (_, stale) in others.into_iter().skip(OTHER_TEMPLATES_KEPT) {
        match std::fs::remove_file(&stale) {
            // Another process removed it first.
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
    }
    Ok(())
}
