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

fn main() -> ExitCode {
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
