//! `switchboard backup` and `switchboard restore`: one archive with a consistent snapshot of a
//! SQLite database and every uploaded file, taken while the server runs.
//!
//! Why this is consistent: `VACUUM INTO` copies the database inside one read transaction, so the
//! copy is the database as of one instant, and every message acknowledged before the command
//! started (an ack follows the commit) is in it. Uploaded files are content-addressed blobs that
//! are written before the row that names them is committed and never deleted, so copying the
//! `files/` directory *after* the snapshot finds every blob the snapshot names (and perhaps a few
//! newer ones, which nothing references: harmless).
//!
//! PostgreSQL and MySQL have their own online tools (`pg_dump`, `mariadb-dump
//! --single-transaction`); the README says how to pair them with a copy of `files/`. This module
//! refuses those URLs rather than produce an archive without the database.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail, ensure};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::config::Settings;
use crate::db;
use crate::files::storage::STAGING_DIR;

/// The archive's entries: the manifest, the database, and the blobs under `files/`.
const MANIFEST: &str = "switchboard-backup.json";
const DATABASE: &str = "database.sqlite3";
const FILES: &str = "files/";
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: u32,
    created_at: String,
    version: String,
    files: u64,
}

/// What a backup or restore wrote, for the command's one-line report.
#[derive(Debug)]
pub struct Summary {
    pub database_bytes: u64,
    pub files: u64,
}

/// Writes the archive to `out` (through a temporary file beside it, renamed at the end, so a
/// failed run never leaves a truncated archive under the final name).
pub async fn backup(settings: &Settings, out: &Path) -> anyhow::Result<Summary> {
    let db_path = sqlite_file(&settings.database_url)?;
    ensure!(
        db_path.exists(),
        "no database at {}: nothing to back up",
        db_path.display()
    );
    ensure!(!out.exists(), "{} exists: choose a new file", out.display());
    let snapshot = temp_beside(out, "db");
    // A connection of its own: the server keeps its lock file; reading the database beside it
    // is what SQLite's WAL mode allows.
    let conn = db::connect(&settings.database_url).await?;
    conn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [snapshot.to_string_lossy().into_owned().into()],
    ))
    .await
    .context("taking the snapshot (VACUUM INTO)")?;
    conn.close().await.ok();

    let files_root = settings.data_dir.join("files");
    let partial = temp_beside(out, "zip");
    let written = tokio::task::spawn_blocking({
        let (snapshot, partial) = (snapshot.clone(), partial.clone());
        move || write_archive(&partial, &snapshot, &files_root)
    })
    .await
    .context("the archive task")?;
    std::fs::remove_file(&snapshot).ok();
    let summary = match written {
        Ok(s) => s,
        Err(e) => {
            std::fs::remove_file(&partial).ok();
            return Err(e);
        }
    };
    std::fs::rename(&partial, out).with_context(|| format!("moving into {}", out.display()))?;
    Ok(summary)
}

/// Unpacks `from` into the configured database path and data directory. The server must be
/// stopped (the SQLite lock says so); an existing database is replaced only with `force`.
pub fn restore(settings: &Settings, from: &Path, force: bool) -> anyhow::Result<Summary> {
    let db_path = sqlite_file(&settings.database_url)?;
    let _lock =
        db::lock_sqlite(&settings.database_url).context("stop the server before restoring")?;
    if db_path.exists() && !force {
        bail!(
            "{} exists: pass --force to replace it with the backup",
            db_path.display()
        );
    }
    let mut archive = ZipArchive::new(BufReader::new(
        File::open(from).with_context(|| format!("opening {}", from.display()))?,
    ))
    .context("reading the archive")?;
    let manifest: Manifest = serde_json::from_reader(
        archive
            .by_name(MANIFEST)
            .context("not a switchboard backup (no manifest)")?,
    )
    .context("reading the manifest")?;
    ensure!(
        manifest.format == FORMAT,
        "backup format {} is not supported by this version",
        manifest.format
    );

    // The database first into a temporary file, then renamed over the old one with its WAL
    // and shared-memory files removed, so a half-read archive never leaves a broken database.
    let staged = temp_beside(&db_path, "restore");
    copy_entry(&mut archive, DATABASE, &staged)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db_path.display()));
        if side.exists() {
            std::fs::remove_file(&side).with_context(|| format!("removing {}", side.display()))?;
        }
    }
    // The search index belonged to the old database: the server builds it again.
    crate::search::index::remove_files(&db_path)
        .context("removing the old database's search index")?;
    let database_bytes = std::fs::metadata(&staged)?.len();
    std::fs::rename(&staged, &db_path)
        .with_context(|| format!("moving into {}", db_path.display()))?;

    let files_root = settings.data_dir.join("files");
    let mut files = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index(i)?;
        let name = entry.name()?.to_string();
        let Some(rel) = name.strip_prefix(FILES) else {
            continue;
        };
        if entry.is_dir() || rel.is_empty() {
            continue;
        }
        let rel = safe_relative(rel).with_context(|| format!("unsafe path {name:?}"))?;
        drop(entry);
        copy_entry(&mut archive, &name, &files_root.join(rel))?;
        files += 1;
    }
    ensure!(
        files == manifest.files,
        "the archive holds {files} files, its manifest says {}",
        manifest.files
    );
    Ok(Summary {
        database_bytes,
        files,
    })
}

fn write_archive(out: &Path, snapshot: &Path, files_root: &Path) -> anyhow::Result<Summary> {
    let mut zip = ZipWriter::new(BufWriter::new(
        File::create(out).with_context(|| format!("creating {}", out.display()))?,
    ));
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    // Uploads are mostly compressed already (images, PDFs): stored as they are.
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true);

    zip.start_file(DATABASE, deflated)?;
    let database_bytes = io::copy(&mut File::open(snapshot)?, &mut zip)?;

    let mut files = 0;
    if files_root.is_dir() {
        for path in blobs(files_root)? {
            let rel = path.strip_prefix(files_root)?;
            let name = format!("{FILES}{}", rel.to_string_lossy().replace('\\', "/"));
            zip.start_file(name, stored)?;
            io::copy(&mut File::open(&path)?, &mut zip)?;
            files += 1;
        }
    }
    let manifest = Manifest {
        format: FORMAT,
        created_at: chrono::Utc::now().to_rfc3339(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        files,
    };
    zip.start_file(MANIFEST, deflated)?;
    serde_json::to_writer_pretty(&mut zip, &manifest)?;
    let mut inner = zip.finish()?;
    inner.flush()?;
    inner
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()
        .context("syncing the archive")?;
    Ok(Summary {
        database_bytes,
        files,
    })
}

/// Every blob under the files root, in a stable order; the upload staging area (partial
/// uploads) is not part of the data.
fn blobs(root: &Path) -> io::Result<Vec<PathBuf>> {
    let staging = root.join(STAGING_DIR);
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            if entry.path() == staging {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if kind.is_file() {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

fn copy_entry<R: io::Read + io::Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
    to: &Path,
) -> anyhow::Result<()> {
    let mut entry = archive
        .by_name(name)
        .with_context(|| format!("the archive has no {name}"))?;
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = File::create(to).with_context(|| format!("creating {}", to.display()))?;
    io::copy(&mut entry, &mut file).with_context(|| format!("unpacking {name}"))?;
    file.sync_all()?;
    Ok(())
}

/// A path from the archive that stays inside the directory it is unpacked into.
fn safe_relative(rel: &str) -> Option<PathBuf> {
    let path = Path::new(rel);
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| path.to_path_buf())
}

fn sqlite_file(url: &str) -> anyhow::Result<PathBuf> {
    match db::sqlite_path(&db::normalise_url(url)) {
        Some(path) => Ok(PathBuf::from(path)),
        None => bail!(
            "backup and restore work on a SQLite file; for PostgreSQL use pg_dump, for \
             MySQL/MariaDB mariadb-dump --single-transaction, and copy the data directory's \
             files/ (see the README, Backup and restore)"
        ),
    }
}

fn temp_beside(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{what}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_paths_cannot_leave_the_files_directory() {
        assert!(safe_relative("ab/cd/abcdef").is_some());
        assert!(safe_relative("../etc/passwd").is_none());
        assert!(safe_relative("/etc/passwd").is_none());
        assert!(safe_relative("a/../../b").is_none());
    }

    #[test]
    fn server_databases_are_pointed_at_their_own_tools() {
        let err = sqlite_file("postgres://u@h/db").unwrap_err().to_string();
        assert!(err.contains("pg_dump"), "{err}");
        assert!(sqlite_file("sqlite://./data/x.db").is_ok());
    }
}
