//! The xenlint command line: parse the arguments, run the command (`cli/`), map the
//! outcome to the exit status.
//!
//! Exit status: 0 when all is well, 1 when findings were reported, 2 for usage errors and
//! bad input (a missing tree, an unknown arch, a Kconfig tree with errors). Output cut
//! short by a closed pipe (`xenlint series ... | head`) is not an error.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// Trees are built and freed by the thousand on worker threads: an allocator made for
/// that (glibc's spent a fifth of a series run in malloc and free).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `enum mi_option_e` (mimalloc.h): how long
/// freed pages wait before they go back to the system (1,000 ms by default, options.c;
/// -1, never).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A series run frees the trees of one commit and builds the next one's of the same size:
/// pages given back are faulted in and zeroed again at once. Keeping them took the bench
/// series from 28-29.5 s to 24-25 s wall, for 5% more peak memory. `MIMALLOC_PURGE_DELAY`
/// still decides when it is set.
fn keep_freed_pages() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an option of the allocator, which reads it on each purge.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
}

/// Transparent huge pages (mimalloc asks for them on its arenas) make the first touch of
/// fresh memory zero 2 MiB at once. On the virtual machines this runs on (2 cores, 24 GiB)
/// that cost more than the translations they save: the bench series, three same-hour
/// pairs, 15.4-16.0 s wall with them and 13.4-14.5 s without; the 165-commit series 43.8 s
/// and 0.92 GB against 39.6 s and 0.79 GB; x86 alone 2.9-3.4 s against 2.1 s.
/// `MIMALLOC_ALLOW_THP` still decides when it is set. The flag is the process's (and its
/// children's, the probes, which ask for none); mappings made before `main` follow it too.
fn no_huge_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) sets a flag of the process; it reads
    // and writes no memory of ours. A kernel without it (before 3.15) answers EINVAL,
    // which leaves things as they were.
    unsafe {
        libc::prctl(
            libc::PR_SET_THP_DISABLE,
            1 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        );
    }
}

fn main() -> ExitCode {
    keep_freed_pages();
    no_huge_pages();
    let cli = cli::Cli::parse();
    // Ctrl-C, SIGTERM, SIGHUP: remove the temporary directories, then end as the shell
    // expects of a command interrupted by a signal.
    let _ = ctrlc::set_handler(|| {
        xenlint::scratch::remove_all_before_exit();
        std::process::exit(130);
    });
    // Resolving follows dependency chains recursively, as conf does: give it room.
    let worker = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || cli::run(cli))
        .expect("spawning the worker thread");
    let result = match worker.join() {
        Ok(result) => result,
        Err(_) => {
            eprintln!("xenlint: internal error (a bug: please report it with the command line)");
            return ExitCode::from(2);
        }
    };
    let result = result.and_then(|code| {
        use std::io::Write as _;
        std::io::stdout()
            .flush()
            .map_err(cli::stdout_error)
            .map(|()| code)
    });
    match result {
        Ok(code) => code,
        Err(err) if cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xenlint: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // Its default is 1,000 ms; the options beside it default to 1 (a deprecated
        // delay) and 0 (use_numa_nodes): a different enum would read another one.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads an option of the allocator.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
