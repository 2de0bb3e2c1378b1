//! Fingerprints the migration sources for the test databases' templates.
//!
//! `TestDb::new()` copies a database migrated once per fingerprint, so the fingerprint must
//! change whenever a migration could render different DDL: the migration sources (edited in
//! place while a migration is being written, so their names alone are not enough) and the lock
//! file (a SeaORM upgrade changes the SQL a migration renders). The hash is FNV-1a over every
//! file's workspace-relative path and contents, so it is the same on every machine and toolchain.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What the schema of a migrated database depends on, relative to this crate's directory.
/// Directories are read recursively; inputs that do not exist (yet) are skipped.
const INPUTS: [&str; 3] = [
    "../migration/src",
    "../enhanced/migration/src",
    "../Cargo.lock",
];

/// FNV-1a, 64 bits: stable across Rust releases, unlike `DefaultHasher`.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Every file under `path` (or `path` itself), sorted so the hash does not depend on the order
/// the file system lists them in.
fn files_under(path: &Path) -> io::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            files.extend(files_under(&entry.path())?);
        } else {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

fn main() -> io::Result<()> {
    let crate_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace_dir = crate_dir.join("..");
    let mut hash = Fnv1a::new();
    for input in INPUTS {
        let path = crate_dir.join(input);
        if !path.exists() {
            // Watching a missing path would rerun this script on every build. A migration crate
            // that appears later joins the workspace, which changes the watched lock file.
            continue;
        }
        println!("cargo::rerun-if-changed={input}");
        for file in files_under(&path)? {
            let relative = file.strip_prefix(&workspace_dir).unwrap_or(&file);
            let contents = fs::read(&file)?;
            // Path, separator and length first, so moving bytes between files changes the hash.
            hash.write(relative.to_string_lossy().replace('\\', "/").as_bytes());
            hash.write(&[0]);
            hash.write(&(contents.len() as u64).to_le_bytes());
            hash.write(&contents);
        }
    }
    println!(
        "cargo::rustc-env=MEMDB_MIGRATIONS_FINGERPRINT={:016x}",
        hash.0
    );
    Ok(())
}
