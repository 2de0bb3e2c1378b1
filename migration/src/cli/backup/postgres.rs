//! PostgreSQL backups through the client tools: `pg_dump --format=custom` and `pg_restore
//! --single-transaction --no-owner`.
//!
//! The connection settings reach the tools through libpq's environment variables (`PGHOST`,
//! `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, ...), never through their
//! command line, which other users of the machine can read in the process list. Whatever the
//! tools print is passed on with the password cut out.

use std::path::Path;
use std::process::Stdio;

use tokio::process::Command;

use super::error::BackupError;
use super::progress::Progress;
use crate::cli::CliError;
use crate::cli::connect::redact_url;

/// libpq's variables for the query parameters of a PostgreSQL URL that the tools understand.
const PARAMETERS: [(&str, &str); 8] = [
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslcert", "PGSSLCERT"),
    ("sslkey", "PGSSLKEY"),
    ("application_name", "PGAPPNAME"),
    ("options", "PGOPTIONS"),
    ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ("target_session_attrs", "PGTARGETSESSIONATTRS"),
];

/// Variables that could point the tools elsewhere than the URL says: removed before ours are
/// set.
const OVERRIDING: [&str; 4] = ["PGSERVICE", "PGSERVICEFILE", "PGHOSTADDR", "PGREQUIRESSL"];

/// The connection settings of a PostgreSQL URL, as libpq environment variables.
#[derive(Clone)]
pub(super) struct PgEnv {
    vars: Vec<(&'static str, String)>,
    password: Option<String>,
    database: String,
}

impl std::fmt::Debug for PgEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("PgEnv")
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl PgEnv {
    /// Reads `url` (`postgres://user:password@host:port/database?sslmode=...`).
    pub(super) fn from_url(url: &str) -> Result<Self, BackupError> {
        let invalid = || BackupError::InvalidUrl {
            url: redact_url(url),
        };
        let parsed = url::Url::parse(url).map_err(|_| invalid())?;
        let mut vars = Vec::new();
        if let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) {
            vars.push(("PGHOST", decode(host).ok_or_else(invalid)?));
        }
        if let Some(port) = parsed.port() {
            vars.push(("PGPORT", port.to_string()));
        }
        if !parsed.username().is_empty() {
            vars.push(("PGUSER", decode(parsed.username()).ok_or_else(invalid)?));
        }
        let mut password = match parsed.password() {
            Some(p) => Some(decode(p).ok_or_else(invalid)?),
            None => None,
        };
        let mut database = decode(parsed.path().trim_start_matches('/')).ok_or_else(invalid)?;
        for (name, value) in parsed.query_pairs() {
            match &*name {
                "host" => vars.push(("PGHOST", value.into_owned())),
                "port" => vars.push(("PGPORT", value.into_owned())),
                "user" => vars.push(("PGUSER", value.into_owned())),
                "password" => password = Some(value.into_owned()),
                "dbname" => database = value.into_owned(),
                other => {
                    if let Some((_, var)) = PARAMETERS.iter().find(|(p, _)| *p == other) {
                        vars.push((var, value.into_owned()));
                    }
                }
            }
        }
        if !database.is_empty() {
            vars.push(("PGDATABASE", database.clone()));
        }
        Ok(Self {
            vars,
            password,
            database,
        })
    }

    /// The database's name (empty when the URL names none: libpq then uses the user's name).
    pub(super) fn database(&self) -> &str {
        &self.database
    }

    /// `tool` with the connection settings in its environment and nothing on stdin.
    fn command(&self, tool: &str) -> Command {
        let mut command = Command::new(tool);
        for var in OVERRIDING
            .iter()
            .chain(&["PGPASSWORD", "PGPASSFILE"])
            .chain(self.vars.iter().map(|(var, _)| var))
        {
            command.env_remove(var);
        }
        command.envs(self.vars.iter().map(|(var, value)| (var, value)));
        if let Some(password) = &self.password {
            command.env("PGPASSWORD", password);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// `text` with every occurrence of the password replaced by `***`.
    fn scrub(&self, text: &str) -> String {
        match &self.password {
            Some(password) if !password.is_empty() => text.replace(password.as_str(), "***"),
            _ => text.to_owned(),
        }
    }
}

/// Dumps the database into `file` (which exists, empty) in `pg_dump`'s custom format.
pub(super) async fn dump(env: &PgEnv, file: &Path, progress: &Progress) -> Result<(), CliError> {
    let mut command = env.command("pg_dump");
    command
        .arg("--format=custom")
        .arg("--no-password")
        .arg("--file")
        .arg(file);
    run(env, command, "pg_dump", progress).await
}

/// Restores `file` into the (empty) database in one transaction, without the dump's owners.
pub(super) async fn restore(env: &PgEnv, file: &Path, progress: &Progress) -> Result<(), CliError> {
    let mut command = env.command("pg_restore");
    // Without --dbname pg_restore prints SQL instead of restoring; the name is no secret, and
    // as a quoted connection-string value it cannot be read as anything else.
    command
        .arg("--single-transaction")
        .arg("--no-owner")
        .arg("--no-password")
        .arg(format!(
            "--dbname=dbname={}",
            conninfo_quote(env.database())
        ))
        .arg(file);
    run(env, command, "pg_restore", progress).await
}

/// Runs a tool to completion while `progress` ticks; its stderr becomes the error on failure.
async fn run(
    env: &PgEnv,
    mut command: Command,
    tool: &'static str,
    progress: &Progress,
) -> Result<(), CliError> {
    let child = command.spawn().map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            BackupError::ToolMissing { tool }
        } else {
            BackupError::Io {
                action: "starting",
                path: tool.into(),
                source,
            }
        }
    })?;
    let output = progress
        .while_running(child.wait_with_output())
        .await
        .map_err(|source| BackupError::Io {
            action: "waiting for",
            path: tool.into(),
            source,
        })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(BackupError::ToolFailed {
        tool,
        status: output.status.to_string(),
        output: env.scrub(stderr.trim()).replace('\n', "; "),
    }
    .into())
}

/// A libpq connection-string value in single quotes, `\` and `'` escaped.
fn conninfo_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Percent-decodes a URL component; `None` when it is not UTF-8.
fn decode(component: &str) -> Option<String> {
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::{PgEnv, conninfo_quote};

    #[test]
    fn url_becomes_libpq_variables() {
        let env = PgEnv::from_url(
            "postgres://app%40x:p%2Fw@db.example:6432/mem%20db?sslmode=require&statement-cache-capacity=0",
        )
        .expect("a valid URL");
        assert_eq!(
            env.vars,
            [
                ("PGHOST", "db.example".to_owned()),
                ("PGPORT", "6432".to_owned()),
                ("PGUSER", "app@x".to_owned()),
                ("PGSSLMODE", "require".to_owned()),
                ("PGDATABASE", "mem db".to_owned()),
            ]
        );
        assert_eq!(env.password.as_deref(), Some("p/w"));
        assert_eq!(env.scrub("bad p/w here"), "bad *** here");
        assert!(!format!("{env:?}").contains("p/w"));
    }

    #[test]
    fn conninfo_values_are_quoted() {
        assert_eq!(conninfo_quote(r"a'b\c"), r"'a\'b\\c'");
    }
}
