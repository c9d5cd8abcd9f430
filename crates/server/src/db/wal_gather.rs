//! A VFS for the chat writer's connection that writes a commit's WAL frames in a few system
//! calls instead of two per page.
//!
//! SQLite appends each page of a commit to the `-wal` file as a frame, with two `pwrite` calls
//! (the 24-byte frame header, then the page), then syncs. At 5,000 msg/s a commit is about 150
//! frames: 40,000 `pwrite` calls a second on the writer's thread, 3–4 µs each on our hosts,
//! against a few hundred for the same bytes written in large pieces (BENCHMARKS.md, session
//! 15). This shim sits in front of the platform's default VFS (`unix`) and, for WAL files
//! only, keeps writes that continue one another in a buffer, handing them on in pieces of at
//! most [`PIECE`] bytes:
//!
//! - at the end of every commit (the page after a frame header whose commit field is set), so
//!   the frames reach the OS before SQLite publishes them to other connections in the
//!   shared-memory index, whatever `synchronous` is;
//! - before any other operation on the file (sync, read, size, truncate, lock, file control,
//!   close), so SQLite never sees the file without a write it made;
//! - when a write does not continue the buffer, or the buffer is full.
//!
//! A failed hand-on is returned by the call that triggered it (the commit's write or its
//! sync), exactly as the failed `pwrite` would have been: the commit fails and nothing is
//! acknowledged. Every other file (the database, journals) goes straight to the default VFS.

use std::ffi::{CStr, c_int, c_void};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use rusqlite::ffi;

/// The name the writer opens its connection with.
pub const NAME: &CStr = c"switchboard-wal-gather";

/// The largest write handed on at once. The unix VFS keeps only the low 17 bits of a write's
/// length (`seekAndWriteFd`: `nBuf &= 0x1ffff`), so a piece must stay under 128 KiB.
const PIECE: usize = 120 * 1024;
/// A buffer this full is handed on before it grows further (a commit of many pages).
const LIMIT: usize = 4 * 1024 * 1024;
/// The size of a WAL frame header; nothing else SQLite writes to a WAL is this long.
const FRAME_HEADER: usize = 24;

/// Writes SQLite asked for, and writes handed on to the default VFS (`/metrics`:
/// `switchboard_sqlite_wal_writes_total`).
static ASKED: AtomicU64 = AtomicU64::new(0);
static MADE: AtomicU64 = AtomicU64::new(0);

#[cfg(test)]
thread_local! {
    /// This thread's counts (SQLite runs a connection's VFS calls on the calling thread), so a
    /// test sees its own writes only.
    static THREAD_COUNTS: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
}

fn count(asked: u64, made: u64) {
    // Most calls count one side only: an atomic add of zero is still a locked instruction.
    if asked > 0 {
        ASKED.fetch_add(asked, Relaxed);
    }
    if made > 0 {
        MADE.fetch_add(made, Relaxed);
    }
    #[cfg(test)]
    THREAD_COUNTS.with(|c| c.set((c.get().0 + asked, c.get().1 + made)));
}

/// Registers the VFS (once) and returns its name, for `Connection::open_with_flags_and_vfs`.
pub fn register() -> anyhow::Result<&'static CStr> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            // SAFETY: `sqlite3_vfs_find(NULL)` returns the default VFS, which lives as long as
            // the process; the copy registered here is leaked, so it does too.
            unsafe {
                let base = ffi::sqlite3_vfs_find(std::ptr::null());
                if base.is_null() {
                    return Err("SQLite has no default VFS".into());
                }
                let mut vfs = *base;
                vfs.szOsFile = (size_of::<GatherFile>() as c_int) + (*base).szOsFile;
                vfs.pNext = std::ptr::null_mut();
                vfs.zName = NAME.as_ptr();
                vfs.pAppData = base.cast();
                vfs.xOpen = Some(open);
                match ffi::sqlite3_vfs_register(Box::leak(Box::new(vfs)), 0) {
                    ffi::SQLITE_OK => Ok(()),
                    rc => Err(format!("registering the WAL VFS failed ({rc})")),
                }
            }
        })
        .clone()
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(NAME)
}

/// Copies the write counts into `/metrics`.
pub fn report() {
    metrics::counter!("switchboard_sqlite_wal_writes_total", "by" => "sqlite")
        .absolute(ASKED.load(Relaxed));
    metrics::counter!("switchboard_sqlite_wal_writes_total", "by" => "vfs")
        .absolute(MADE.load(Relaxed));
}

/// A WAL file: ours first (SQLite sees only `base`), then the default VFS's own file, which
/// lives in the same allocation right after this struct (`szOsFile` covers both).
#[repr(C)]
struct GatherFile {
    base: ffi::sqlite3_file,
    real: *mut ffi::sqlite3_file,
    /// Bytes not yet handed on, to be written at `at`.
    pending: Vec<u8>,
    at: i64,
    /// The last write was a commit frame's header: its page ends the commit.
    commit_page_next: bool,
    /// A hand-on that failed and that SQLite has not been told of yet (see `file_control`).
    failed: c_int,
}

impl GatherFile {
    fn real_methods(&self) -> &ffi::sqlite3_io_methods {
        // SAFETY: `real` was opened by the default VFS, which set its methods.
        unsafe { &*(*self.real).pMethods }
    }

    /// Hands the buffer on, in pieces the default VFS writes whole.
    fn flush(&mut self) -> c_int {
        if self.pending.is_empty() {
            return ffi::SQLITE_OK;
        }
        let Some(write) = self.real_methods().xWrite else {
            return MISSING;
        };
        let mut at = self.at;
        let mut rc = ffi::SQLITE_OK;
        for piece in self.pending.chunks(PIECE) {
            // SAFETY: `piece` is valid for its length; `real` is an open file.
            rc = unsafe { write(self.real, piece.as_ptr().cast(), piece.len() as c_int, at) };
            count(0, 1);
            if rc != ffi::SQLITE_OK {
                break;
            }
            at += piece.len() as i64;
        }
        // Written or failed, the bytes are SQLite's business again: a failure goes back to it
        // (by the call that flushed, or else by the next write or sync), and the transaction
        // they belong to fails: the buffer never holds a committed frame.
        self.pending.clear();
        if self.pending.capacity() > LIMIT {
            self.pending = Vec::new();
        }
        if rc != ffi::SQLITE_OK {
            self.failed = rc;
        }
        rc
    }

    /// A failed hand-on not reported yet, now reported (`SQLITE_OK` if none).
    fn take_failure(&mut self) -> c_int {
        std::mem::replace(&mut self.failed, ffi::SQLITE_OK)
    }

    fn write(&mut self, data: &[u8], offset: i64) -> c_int {
        count(1, 0);
        let failed = self.take_failure();
        if failed != ffi::SQLITE_OK {
            return failed;
        }
        let continues = offset == self.at + self.pending.len() as i64;
        if !self.pending.is_empty()
            && (!continues || self.pending.len() + data.len() > LIMIT)
            && self.flush() != ffi::SQLITE_OK
        {
            return self.take_failure();
        }
        if self.pending.is_empty() {
            self.at = offset;
        }
        self.pending.extend_from_slice(data);
        let ends_commit = self.commit_page_next && data.len() != FRAME_HEADER;
        // Bytes 4..8 of a frame header: the database size after a commit, zero otherwise.
        self.commit_page_next = data.len() == FRAME_HEADER && data[4..8].iter().any(|&b| b != 0);
        if ends_commit && self.flush() != ffi::SQLITE_OK {
            return self.take_failure();
        }
        ffi::SQLITE_OK
    }
}

/// The VFS's `xOpen`: WAL files get a [`GatherFile`], everything else the default VFS's own.
unsafe extern "C" fn open(
    vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    // SAFETY: SQLite passes our VFS (whose `pAppData` is the default VFS) and `szOsFile`
    // bytes at `file`, aligned for any struct of pointers.
    unsafe {
        let base = (*vfs).pAppData.cast::<ffi::sqlite3_vfs>();
        let Some(base_open) = (*base).xOpen else {
            return ffi::SQLITE_CANTOPEN;
        };
        if flags & ffi::SQLITE_OPEN_WAL == 0 {
            return base_open(base, name, file, flags, out_flags);
        }
        let slot = file.cast::<GatherFile>();
        let real = slot.add(1).cast::<ffi::sqlite3_file>();
        let rc = base_open(base, name, real, flags, out_flags);
        if rc != ffi::SQLITE_OK {
            // Not opened: SQLite must not call our `xClose` for it.
            (*file).pMethods = std::ptr::null();
            return rc;
        }
        slot.write(GatherFile {
            base: ffi::sqlite3_file { pMethods: &METHODS },
            real,
            pending: Vec::new(),
            at: 0,
            commit_page_next: false,
            failed: ffi::SQLITE_OK,
        });
        ffi::SQLITE_OK
    }
}

/// The [`GatherFile`] behind a file SQLite opened through [`open`].
///
/// SAFETY: only for files whose methods are [`METHODS`]; SQLite calls one file's methods from
/// one thread at a time.
unsafe fn ours<'a>(file: *mut ffi::sqlite3_file) -> &'a mut GatherFile {
    unsafe { &mut *file.cast::<GatherFile>() }
}

/// Flushes, then runs `f` on the default VFS's file; or returns the error of this flush or
/// of an earlier one not reported yet.
unsafe fn flushed(
    file: *mut ffi::sqlite3_file,
    f: impl FnOnce(&ffi::sqlite3_io_methods, *mut ffi::sqlite3_file) -> c_int,
) -> c_int {
    // SAFETY: see `ours`.
    let g = unsafe { ours(file) };
    if g.flush() != ffi::SQLITE_OK {
        return g.take_failure();
    }
    match g.take_failure() {
        ffi::SQLITE_OK => f(g.real_methods(), g.real),
        rc => rc,
    }
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: Some(shm_map),
    xShmLock: Some(shm_lock),
    xShmBarrier: Some(shm_barrier),
    xShmUnmap: Some(shm_unmap),
    xFetch: Some(fetch),
    xUnfetch: Some(unfetch),
};

/// A method the default VFS lacks: SQLite treats the error as an I/O failure.
const MISSING: c_int = ffi::SQLITE_IOERR;

unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: see `ours`; after this SQLite never touches the file again, so ours is dropped.
    unsafe {
        let g = ours(file);
        let flushed_rc = g.flush();
        let rc = match g.real_methods().xClose {
            Some(close) => close(g.real),
            None => ffi::SQLITE_OK,
        };
        std::ptr::drop_in_place(file.cast::<GatherFile>());
        if flushed_rc != ffi::SQLITE_OK {
            flushed_rc
        } else {
            rc
        }
    }
}

unsafe extern "C" fn write(
    file: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    // SAFETY: SQLite passes `amount` readable bytes at `data`; see `ours`.
    unsafe {
        let data = std::slice::from_raw_parts(data.cast::<u8>(), amount.max(0) as usize);
        ours(file).write(data, offset)
    }
}

unsafe extern "C" fn read(
    file: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    // SAFETY: arguments passed through as SQLite gave them; see `ours`.
    unsafe {
        flushed(file, |m, real| {
            m.xRead.map_or(MISSING, |f| f(real, buf, amount, offset))
        })
    }
}

unsafe extern "C" fn truncate(file: *mut ffi::sqlite3_file, size: ffi::sqlite3_int64) -> c_int {
    // SAFETY: as `read`.
    unsafe {
        flushed(file, |m, real| {
            m.xTruncate.map_or(MISSING, |f| f(real, size))
        })
    }
}

unsafe extern "C" fn sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    // SAFETY: as `read`.
    unsafe { flushed(file, |m, real| m.xSync.map_or(MISSING, |f| f(real, flags))) }
}

unsafe extern "C" fn file_size(
    file: *mut ffi::sqlite3_file,
    size: *mut ffi::sqlite3_int64,
) -> c_int {
    // SAFETY: as `read`.
    unsafe {
        flushed(file, |m, real| {
            m.xFileSize.map_or(MISSING, |f| f(real, size))
        })
    }
}

unsafe extern "C" fn lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    // SAFETY: as `read`.
    unsafe { flushed(file, |m, real| m.xLock.map_or(MISSING, |f| f(real, level))) }
}

unsafe extern "C" fn unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    // SAFETY: as `read`.
    unsafe {
        flushed(file, |m, real| {
            m.xUnlock.map_or(MISSING, |f| f(real, level))
        })
    }
}

unsafe extern "C" fn check_reserved_lock(file: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    // SAFETY: as `read`.
    unsafe {
        flushed(file, |m, real| {
            m.xCheckReservedLock.map_or(MISSING, |f| f(real, out))
        })
    }
}

unsafe extern "C" fn file_control(
    file: *mut ffi::sqlite3_file,
    op: c_int,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: see `ours`. SQLite ignores the result of some file controls (hints), so a
    // failed flush here also stays recorded for the next write or sync to report.
    unsafe {
        let g = ours(file);
        match g.flush() {
            ffi::SQLITE_OK => g
                .real_methods()
                .xFileControl
                .map_or(ffi::SQLITE_NOTFOUND, |f| f(g.real, op, arg)),
            rc => rc,
        }
    }
}

unsafe extern "C" fn sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: see `ours`; nothing written is involved.
    unsafe {
        let g = ours(file);
        g.real_methods().xSectorSize.map_or(4096, |f| f(g.real))
    }
}

unsafe extern "C" fn device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: as `sector_size`.
    unsafe {
        let g = ours(file);
        g.real_methods()
            .xDeviceCharacteristics
            .map_or(0, |f| f(g.real))
    }
}

unsafe extern "C" fn shm_map(
    file: *mut ffi::sqlite3_file,
    page: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    // SAFETY: as `read`.
    unsafe {
        flushed(file, |m, real| {
            m.xShmMap
                .map_or(MISSING, |f| f(real, page, size, extend, out))
        })
    }
}

unsafe extern "C" fn shm_lock(
    file: *mut ffi::sqlite3_file,
    offset: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    // SAFETY: as `read`.
    unsafe {
        flushed(file, |m, real| {
            m.xShmLock.map_or(MISSING, |f| f(real, offset, n, flags))
        })
    }
}

unsafe extern "C" fn shm_barrier(file: *mut ffi::sqlite3_file) {
    // SAFETY: see `ours`. Shared memory belongs to the database file, so SQLite never calls
    // this on a WAL file; passed on as it is (a barrier could not report a failed flush).
    unsafe {
        let g = ours(file);
        if let Some(f) = g.real_methods().xShmBarrier {
            f(g.real)
        }
    }
}

unsafe extern "C" fn shm_unmap(file: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    // SAFETY: as `read`.
    unsafe {
        flushed(file, |m, real| {
            m.xShmUnmap.map_or(MISSING, |f| f(real, delete))
        })
    }
}

unsafe extern "C" fn fetch(
    file: *mut ffi::sqlite3_file,
    offset: ffi::sqlite3_int64,
    amount: c_int,
    out: *mut *mut c_void,
) -> c_int {
    // SAFETY: as `read`. Without the default VFS's `xFetch`, SQLite reads instead.
    unsafe {
        flushed(file, |m, real| match m.xFetch {
            Some(f) => f(real, offset, amount, out),
            None => {
                *out = std::ptr::null_mut();
                ffi::SQLITE_OK
            }
        })
    }
}

unsafe extern "C" fn unfetch(
    file: *mut ffi::sqlite3_file,
    offset: ffi::sqlite3_int64,
    p: *mut c_void,
) -> c_int {
    // SAFETY: as `read`.
    unsafe {
        flushed(file, |m, real| {
            m.xUnfetch.map_or(ffi::SQLITE_OK, |f| f(real, offset, p))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rusqlite::{Connection, OpenFlags};

    use super::*;

    /// A connection through the shim, the WAL never checkpointed (so readers and recovery read
    /// every page from frames the shim wrote).
    fn writer(path: &Path, synchronous: &str, cache_pages: i64) -> Connection {
        let c =
            Connection::open_with_flags_and_vfs(path, OpenFlags::default(), register().unwrap())
                .unwrap();
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
        c.pragma_update(None, "synchronous", synchronous).unwrap();
        c.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        c.pragma_update(None, "cache_size", cache_pages).unwrap();
        c.execute_batch(
            "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, body TEXT)",
        )
        .unwrap();
        c
    }

    /// Inserts rows `from..from + n` in one transaction (keys scattered over the index, as
    /// the messages' `(sender_id, client_id)` keys are), then rewrites the first of them.
    fn insert(c: &Connection, from: i64, n: i64) {
        c.execute_batch("BEGIN IMMEDIATE").unwrap();
        let mut stmt = c
            .prepare_cached("INSERT INTO t (id, k, body) VALUES (?1, ?2, ?3)")
            .unwrap();
        for i in from..from + n {
            let key = format!("{:016x}", (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            stmt.execute((i, key, "x".repeat(200 + (i % 100) as usize)))
                .unwrap();
        }
        c.execute(
            "UPDATE t SET body = body || 'y' WHERE id >= ?1 AND id < ?2",
            [from, from + n.min(50)],
        )
        .unwrap();
        c.execute_batch("COMMIT").unwrap();
    }

    /// Rows, total body length and `integrity_check`, read on the default VFS.
    fn summary(path: &Path) -> (i64, i64, String) {
        let c = Connection::open(path).unwrap();
        let (rows, bytes) = c
            .query_row(
                "SELECT count(*), coalesce(sum(length(body)), 0) FROM t",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let check = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        (rows, bytes, check)
    }

    /// The database and its WAL as a power cut would leave them after the last commit: the
    /// files copied while the writer still has them open, then opened (and recovered) alone.
    fn copy_as_after_a_crash(dir: &Path, path: &Path) -> std::path::PathBuf {
        let copy = dir.join("copy");
        std::fs::create_dir_all(&copy).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        for suffix in ["", "-wal"] {
            std::fs::copy(
                dir.join(format!("{name}{suffix}")),
                copy.join(format!("{name}{suffix}")),
            )
            .unwrap();
        }
        let _ = std::fs::remove_file(copy.join(format!("{name}-shm")));
        copy.join(name)
    }

    fn expected(rows: i64) -> i64 {
        (0..rows).map(|i| 200 + i % 100).sum::<i64>()
    }

    #[test]
    fn commits_of_any_size_are_whole_for_readers_and_after_a_crash() {
        for synchronous in ["FULL", "OFF"] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("db.sqlite");
            let c = writer(&path, synchronous, -64 * 1024);
            let mut rows = 0;
            let mut appended = 0;
            for n in [1, 7, 300, 20_000] {
                let before = THREAD_COUNTS.with(|c| c.get());
                insert(&c, rows, n);
                rows += n;
                appended += n.min(50);
                let after = THREAD_COUNTS.with(|c| c.get());
                let (asked, made) = (after.0 - before.0, after.1 - before.1);
                if n >= 300 {
                    // Two writes a frame asked for, a few pieces made.
                    assert!(
                        made * 10 < asked,
                        "{synchronous}, {n} rows: {made} writes made for {asked} asked"
                    );
                }
                let want = (rows, expected(rows) + appended, "ok".to_string());
                assert_eq!(summary(&path), want, "{synchronous}, after {n} rows");
                let copy = copy_as_after_a_crash(dir.path(), &path);
                assert_eq!(
                    summary(&copy),
                    want,
                    "{synchronous}, a crash after {n} rows"
                );
                std::fs::remove_dir_all(copy.parent().unwrap()).unwrap();
            }
            drop(c);
            assert_eq!(summary(&path).0, rows);
        }
    }

    #[test]
    fn a_transaction_larger_than_the_page_cache_spills_and_still_commits_whole() {
        // Ten pages of cache: the transaction writes frames before its commit, rewrites some
        // of them in place and reads them back (SQLite's checksum rewrite).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let c = writer(&path, "FULL", 10);
        insert(&c, 0, 5_000);
        insert(&c, 5_000, 3);
        let want = (5_003, expected(5_003) + 50 + 3, "ok".to_string());
        assert_eq!(summary(&path), want);
        let copy = copy_as_after_a_crash(dir.path(), &path);
        assert_eq!(summary(&copy), want);
    }
}
