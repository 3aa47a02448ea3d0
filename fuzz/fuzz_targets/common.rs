//! What the targets share: a tiny kernel-shaped tree in memory and a big stack.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Mutex, OnceLock};

use xenlint::kconfig::env::{KernelEnv, KernelVersion};
use xenlint::kconfig::parser::Dialect;
use xenlint::source::MemSource;

/// The files every tiny tree has besides the one the input becomes: a top Makefile with a
/// version, the arch Kconfig, and a sourced file the input may name.
pub fn tree() -> MemSource {
    MemSource::new()
        .with(
            "Makefile",
            "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION =\n",
        )
        .with("arch/x86/Kconfig", "config X86\n\tdef_bool y\n")
        .with(
            "drivers/Kconfig",
            "menu \"Drivers\"\nconfig DRV\n\ttristate \"drv\"\n\tdepends on X86\nendmenu\n",
        )
}

/// The environment `make ARCH=x86` gives Kconfig for a 6.12 tree whose scripts/kconfig
/// speaks `dialect`, computed without reading any arch Makefile.
pub fn env(dialect: Dialect) -> KernelEnv {
    KernelEnv {
        arch: "x86".into(),
        srcarch: "x86".into(),
        version: KernelVersion {
            version: 6,
            patchlevel: 12,
            sublevel: Some(0),
            extraversion: String::new(),
        },
        dialect,
        kbuild_defconfig: "defconfig".into(),
        vars: BTreeMap::from([
            ("ARCH".into(), "x86".into()),
            ("SRCARCH".into(), "x86".into()),
            ("srctree".into(), ".".into()),
            ("CC".into(), "gcc".into()),
        ]),
        probed: BTreeMap::new(),
        refused: Vec::new(),
        limits: Vec::new(),
    }
}

/// The allocator the xenlint binary runs with (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Job = Box<dyn FnOnce() + Send>;

/// A stack overflow on the worker must still be reported with its input: libFuzzer's
/// SIGSEGV handler runs on the faulting thread's stack unless it was installed with
/// SA_ONSTACK (it keeps the flag only from a sanitizer's handler), and on an overflowed
/// stack it cannot run at all: the process just dies of SIGSEGV and the input is lost.
/// Give the worker an alternate signal stack and the handlers the flag.
fn crash_handler_on_its_own_stack() {
    const SIZE: usize = 1 << 20;
    // Kept in a static so that LeakSanitizer (an ASan build) sees it reachable.
    static ALT_STACKS: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    let stack: &'static mut [u8] = Box::leak(vec![0u8; SIZE].into_boxed_slice());
    ALT_STACKS
        .lock()
        .expect("alternate stacks")
        .push(stack.as_ptr() as usize);
    // SAFETY: the alternate stack is leaked, so it outlives the thread; sigaction is read
    // and written back with one flag added, for signals libFuzzer handles.
    unsafe {
        let alt = libc::stack_t {
            ss_sp: stack.as_mut_ptr().cast(),
            ss_flags: 0,
            ss_size: SIZE,
        };
        assert_eq!(
            libc::sigaltstack(&alt, std::ptr::null_mut()),
            0,
            "sigaltstack"
        );
        for signal in [libc::SIGSEGV, libc::SIGBUS] {
            let mut action: libc::sigaction = std::mem::zeroed();
            assert_eq!(libc::sigaction(signal, std::ptr::null(), &mut action), 0);
            action.sa_flags |= libc::SA_ONSTACK;
            assert_eq!(libc::sigaction(signal, &action, std::ptr::null_mut()), 0);
        }
    }
}

/// The worker's stack: 256 MiB as xenlint's own threads have, or `XENLINT_FUZZ_STACK_MIB`.
/// A small stack (1 or 2 MiB) turns the inputs that recurse deepest into crashes, which
/// shows what an input must do to exhaust the real stack long before it does.
fn stack_size() -> usize {
    let mib = std::env::var("XENLINT_FUZZ_STACK_MIB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(256);
    mib << 20
}

/// Resolving recurses along dependency chains as conf does; xenlint runs it on threads
/// with a 256 MiB stack (main.rs, the engine's workers), and so do the targets: on one
/// worker made once, since a thread per input would cost more than most inputs. A panic
/// there aborts the process (libfuzzer-sys's hook), which libFuzzer reports as a crash.
pub fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    static WORKER: OnceLock<Mutex<(Sender<Job>, Receiver<()>)>> = OnceLock::new();
    let worker = WORKER.get_or_init(|| {
        let (job_tx, job_rx) = channel::<Job>();
        let (done_tx, done_rx) = channel();
        std::thread::Builder::new()
            .stack_size(stack_size())
            .spawn(move || {
                crash_handler_on_its_own_stack();
                for job in job_rx {
                    job();
                    done_tx.send(()).expect("the fuzz loop waits for every job");
                }
            })
            .expect("spawn worker");
        Mutex::new((job_tx, done_rx))
    });
    let worker = worker.lock().expect("one fuzz loop");
    worker
        .0
        .send(Box::new(f))
        .expect("the worker lives for the run");
    worker.1.recv().expect("the worker answers every job");
}
