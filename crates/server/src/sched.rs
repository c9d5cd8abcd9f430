//! Short scheduling slices for the threads a message passes through (the runtime's workers and
//! the chat writer), on Linux 6.12 and later.
//!
//! Linux's fair scheduler (EEVDF) lets a thread ask for a shorter slice than the default 3 ms
//! (`sched_setattr`, `sched_runtime` of a `SCHED_OTHER` thread; no privilege needed, and the
//! thread's share of the CPU stays the same). A thread with a short slice has an earlier
//! deadline when it wakes, so it runs soon after its socket, channel or disk sync is ready
//! instead of after the slice of whatever else holds the core. On a host whose cores are busy
//! (other services, or the load generator of `switchboard-bench`) a message waits for a core
//! at every hop; BENCHMARKS.md, session 18, measured the effect. Older kernels ignore the
//! request, other systems never make it.

use std::sync::atomic::{AtomicU64, Ordering};

/// The slice asked for, in microseconds; 0 leaves the kernel's default.
static SLICE_US: AtomicU64 = AtomicU64::new(0);

/// The kernel accepts slices from 0.1 to 100 ms.
pub const MIN_SLICE_US: u64 = 100;
pub const MAX_SLICE_US: u64 = 100_000;

/// Sets the slice that `apply_to_this_thread` asks for (`SWITCHBOARD_SCHED_SLICE_US`).
pub fn configure(slice_us: u64) {
    SLICE_US.store(slice_us, Ordering::Relaxed);
}

/// Asks for the configured slice for the calling thread. A refusal (a sandbox that filters
/// the call) is logged and changes nothing else.
pub fn apply_to_this_thread() {
    let slice_us = SLICE_US.load(Ordering::Relaxed);
    if slice_us == 0 {
        return;
    }
    if let Err(e) = set_slice(slice_us) {
        tracing::debug!(error = %e, slice_us, "the kernel refused a short scheduling slice");
    }
}

/// Background work's nice value: such a thread gets a core when the hot threads leave one.
pub const BACKGROUND_NICE: i32 = 10;

/// Lowers the calling thread's priority to [`BACKGROUND_NICE`] (Linux: a thread's own nice
/// value; raising it needs no privilege). For work that may lag but must never take a core
/// from a message in flight, like the search indexer catching up after a burst. A refusal is
/// logged and changes nothing else.
pub fn make_this_thread_background() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain syscall; `who` 0 is the calling thread on Linux.
        let r = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, BACKGROUND_NICE) };
        if r != 0 {
            let e = std::io::Error::last_os_error();
            tracing::debug!(error = %e, "the kernel refused a lower priority");
        }
    }
}

/// `struct sched_attr` (include/uapi/linux/sched/types.h), up to `sched_period`.
#[cfg(target_os = "linux")]
#[repr(C)]
#[derive(Default)]
struct SchedAttr {
    size: u32,
    policy: u32,
    flags: u64,
    nice: i32,
    priority: u32,
    runtime: u64,
    deadline: u64,
    period: u64,
}

/// Sets the calling thread's slice, keeping its policy (`SCHED_OTHER`) and nice value.
#[cfg(target_os = "linux")]
fn set_slice(slice_us: u64) -> std::io::Result<()> {
    let mut attr = current()?;
    attr.size = std::mem::size_of::<SchedAttr>() as u32;
    attr.flags = 0;
    attr.runtime = slice_us * 1_000;
    // SAFETY: `attr` is a valid `sched_attr` of the size it states; pid 0 is this thread.
    let r = unsafe { libc::syscall(libc::SYS_sched_setattr, 0, &attr as *const SchedAttr, 0) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn set_slice(_slice_us: u64) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// The calling thread's attributes (its slice in `runtime`, in ns).
#[cfg(target_os = "linux")]
fn current() -> std::io::Result<SchedAttr> {
    let mut attr = SchedAttr::default();
    let size = std::mem::size_of::<SchedAttr>() as u32;
    // SAFETY: the kernel writes at most `size` bytes into `attr`; pid 0 is this thread.
    let r = unsafe {
        libc::syscall(
            libc::SYS_sched_getattr,
            0,
            &mut attr as *mut SchedAttr,
            size,
            0,
        )
    };
    if r == 0 {
        Ok(attr)
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The calling thread's slice in microseconds, as the kernel reports it.
#[cfg(all(test, target_os = "linux"))]
fn slice_of_this_thread() -> std::io::Result<u64> {
    Ok(current()?.runtime / 1_000)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Kernels that know custom slices (6.12 on) report `sched_runtime` back for a fair
    /// thread; older ones report 0 whatever was asked.
    fn kernel_keeps_slices() -> bool {
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        let mut parts = release.trim().split(['.', '-']).map(|p| p.parse::<u32>());
        matches!((parts.next(), parts.next()), (Some(Ok(major)), Some(Ok(minor))) if (major, minor) >= (6, 12))
    }

    #[test]
    fn a_thread_gets_the_slice_it_asks_for_and_others_keep_theirs() {
        let before = std::thread::spawn(slice_of_this_thread)
            .join()
            .unwrap()
            .unwrap();
        let asked = std::thread::spawn(|| {
            set_slice(250).unwrap();
            slice_of_this_thread().unwrap()
        })
        .join()
        .unwrap();
        if kernel_keeps_slices() {
            assert_eq!(asked, 250);
            assert_ne!(before, 250, "a new thread starts with the default slice");
        }
        // Every kernel accepts the call: nothing else about the thread changed.
        let other = std::thread::spawn(slice_of_this_thread)
            .join()
            .unwrap()
            .unwrap();
        assert_eq!(other, before);
    }

    fn nice_of_this_thread() -> i32 {
        // SAFETY: plain syscall; `who` 0 is the calling thread on Linux.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }

    #[test]
    fn a_background_thread_is_nicer_and_others_are_not() {
        let before = std::thread::spawn(nice_of_this_thread).join().unwrap();
        let lowered = std::thread::spawn(|| {
            make_this_thread_background();
            nice_of_this_thread()
        })
        .join()
        .unwrap();
        // Already nicer than that (a server started with `nice`): it stays so.
        assert_eq!(lowered, BACKGROUND_NICE.max(before));
        let other = std::thread::spawn(nice_of_this_thread).join().unwrap();
        assert_eq!(other, before, "the other threads keep their priority");
    }

    #[test]
    fn unconfigured_threads_are_left_alone() {
        let slice = std::thread::spawn(|| {
            let before = slice_of_this_thread().unwrap();
            apply_to_this_thread();
            (before, slice_of_this_thread().unwrap())
        })
        .join()
        .unwrap();
        assert_eq!(slice.0, slice.1);
    }
}
