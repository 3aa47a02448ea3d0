//! Benchmarks against the installed 6.12 tree (scripts/kernel-refs.sh puts it in place):
//!
//! 1. Reading and parsing the whole x86 Kconfig tree, `$(shell,...)` outputs cached.
//! 2. Parse + resolve + write for `make x86_64_defconfig`, beside the kernel's own conf
//!    binary (built by the reference run) on the same tree, machine and environment.
//!
//! Run: cargo bench --bench parse. Prints medians and the ratio.

use std::time::{Duration, Instant};

use xenlint::kconfig::env::{EnvRequest, KernelEnv};
use xenlint::kconfig::macros::{ShellCache, ShellPolicy, ShellRunner};
use xenlint::source::DirSource;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let kernels =
        std::env::var("XENLINT_KERNELS").unwrap_or_else(|_| "/var/tmp/xenlint-kernels".into());
    let root = std::path::PathBuf::from(&kernels).join("linux-source-6.12");
    if !root.join("Makefile").exists() {
        eprintln!(
            "{} missing: run scripts/kernel-refs.sh first",
            root.display()
        );
        std::process::exit(2);
    }
    let handle = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || run(&kernels, &root))
        .expect("spawn");
    handle.join().expect("bench thread");
}

fn run(kernels: &str, root: &std::path::Path) {
    let source = DirSource::new(root);
    let request = EnvRequest {
        arch: Some("x86".into()),
        srctree: root.display().to_string(),
        overrides: Vec::new(),
        untrusted: false,
        tools: xenlint::exec::ToolTrust::Any,
    };
    let env = KernelEnv::compute(&source, &request).expect("env");
    let cache = ShellCache::new();
    let shell = || {
        let mut s = ShellRunner::new(ShellPolicy::Trusted);
        s.cache = cache.clone();
        s
    };
    // Warm the command cache and the page cache.
    let model = xenlint::kconfig::read_tree(&source, &env, shell());
    println!(
        "x86 6.12: {} files, {} symbols, {} commands cached",
        model.files.len(),
        model.symbols.len(),
        cache.len()
    );

    if let Ok(n) = std::env::var("XENLINT_BENCH_PARSE_ONLY") {
        for _ in 0..n.parse::<u32>().unwrap_or(10) {
            std::hint::black_box(xenlint::kconfig::read_tree(&source, &env, shell()));
        }
        return;
    }
    if let Ok(n) = std::env::var("XENLINT_BENCH_RESOLVE_ONLY") {
        let fin = xenlint::kconfig::finalize::finalize(&model, true);
        for _ in 0..n.parse::<u32>().unwrap_or(10) {
            let out = xenlint::kconfig::make_config(
                &source,
                &env,
                &model,
                &fin,
                "x86_64_defconfig",
                &[],
                None,
            );
            std::hint::black_box(out.ok());
        }
        return;
    }
    if let Ok(n) = std::env::var("XENLINT_BENCH_FINALIZE_ONLY") {
        for _ in 0..n.parse::<u32>().unwrap_or(10) {
            std::hint::black_box(xenlint::kconfig::finalize::finalize(&model, true));
        }
        return;
    }
    if std::env::var_os("XENLINT_BENCH_KBUILD").is_some() {
        kbuild(kernels, &source);
        return;
    }
    if std::env::var_os("XENLINT_BENCH_PHASES").is_some() {
        let t = Instant::now();
        let fin = xenlint::kconfig::finalize::finalize(&model, true);
        println!("finalize: {:.1} ms", ms(t.elapsed()));
        let t = Instant::now();
        let (text, _) = xenlint::kconfig::conf_parse_messages(&model, &fin);
        println!("checks: {:.1} ms ({} bytes)", ms(t.elapsed()), text.len());
        let t = Instant::now();
        let out = xenlint::kconfig::make_config(
            &source,
            &env,
            &model,
            &fin,
            "x86_64_defconfig",
            &[],
            None,
        )
        .expect("defconfig");
        println!(
            "make_config: {:.1} ms ({} bytes)",
            ms(t.elapsed()),
            out.config.len()
        );
    }
    let runs = 21;
    let parse: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let m = xenlint::kconfig::read_tree(&source, &env, shell());
            std::hint::black_box(&m);
            t.elapsed()
        })
        .collect();
    println!(
        "parse whole tree (x86, 6.12), median of {runs}: {:.1} ms",
        ms(median(parse))
    );

    let full: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let m = xenlint::kconfig::read_tree(&source, &env, shell());
            let fin = xenlint::kconfig::finalize::finalize(&m, true);
            let out = xenlint::kconfig::make_config(
                &source,
                &env,
                &m,
                &fin,
                "x86_64_defconfig",
                &[],
                None,
            )
            .expect("defconfig");
            std::hint::black_box(&out.config);
            t.elapsed()
        })
        .collect();
    let ours = median(full);
    println!(
        "parse + resolve + write x86_64_defconfig, median of {runs}: {:.1} ms",
        ms(ours)
    );

    // The kernel's conf on the same tree, as `make x86_64_defconfig` runs it.
    let conf =
        std::path::PathBuf::from(kernels).join("refs/6.12/x86/defconfig/scripts/kconfig/conf");
    if !conf.exists() {
        println!(
            "kernel conf not built ({}): run scripts/kernel-refs.sh",
            conf.display()
        );
        return;
    }
    let kernel_runs = 7;
    let mut times = Vec::new();
    for _ in 0..kernel_runs {
        let dir = tempfile_dir();
        let t = Instant::now();
        let status = std::process::Command::new(&conf)
            .args([
                "-s",
                "--defconfig=arch/x86/configs/x86_64_defconfig",
                "Kconfig",
            ])
            .current_dir(&dir)
            .envs(env.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .status()
            .expect("run conf");
        times.push(t.elapsed());
        assert!(status.success(), "conf failed");
        let _ = std::fs::remove_dir_all(&dir);
    }
    let theirs = median(times);
    println!(
        "kernel conf --defconfig (probes run), median of {kernel_runs}: {:.1} ms",
        ms(theirs)
    );
    println!(
        "ratio: xenlint is {:.1}x faster ({:.3} of conf's time)",
        theirs.as_secs_f64() / ours.as_secs_f64(),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}

/// The Kbuild walk alone, for the kernel's own .config of each scripts/kbuild-refs.sh case.
fn kbuild(kernels: &str, source: &DirSource) {
    for target in ["x86_64_defconfig", "allmodconfig"] {
        let dir = std::path::PathBuf::from(kernels)
            .join("kbuild/6.12/x86")
            .join(target);
        let Ok(text) = std::fs::read_to_string(dir.join(".config")) else {
            println!("{}: run scripts/kbuild-refs.sh first", dir.display());
            continue;
        };
        let values = xenlint::kbuild::objects::config_values(&text);
        let request = xenlint::kbuild::objects::Request {
            arch: "x86",
            srcarch: "x86",
            config: &values,
        };
        let runs = 11;
        let mut count = 0;
        let times: Vec<Duration> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let set = xenlint::kbuild::objects::objects(source, &request);
                count = set.objects.len();
                t.elapsed()
            })
            .collect();
        println!(
            "objects for 6.12 x86 {target} ({count} objects), median of {runs}: {:.1} ms",
            ms(median(times))
        );
    }
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "xenlint-bench-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[allow(dead_code)]
fn phases() {}
